CREATE TABLE `accounts` (
	`account_id` text PRIMARY KEY NOT NULL,
	`balance` integer NOT NULL,
	`frozen` integer NOT NULL,
	`pending` integer NOT NULL,
	`deposited` integer NOT NULL,
	`sent` integer NOT NULL,
	`received` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `credits` (
	`transfer_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `freezes` (
	`transfer_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
