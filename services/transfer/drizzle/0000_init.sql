CREATE TABLE `transfers` (
	`transfer_id` text PRIMARY KEY NOT NULL,
	`from_bank` text NOT NULL,
	`from_account` text NOT NULL,
	`to_bank` text NOT NULL,
	`to_account` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`frozen` integer NOT NULL,
	`credit_prepared` integer NOT NULL,
	`freeze_confirmed` integer NOT NULL,
	`credit_confirmed` integer NOT NULL,
	`fail_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
