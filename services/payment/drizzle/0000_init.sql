CREATE TABLE `payments` (
	`order_id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `wallets` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`balance` integer NOT NULL,
	`credited` integer NOT NULL,
	`updated_at` integer NOT NULL
);
