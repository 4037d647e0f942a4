CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`status` text NOT NULL,
	`items` text NOT NULL,
	`total` integer NOT NULL,
	`cancel_reason` text,
	`refund_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
