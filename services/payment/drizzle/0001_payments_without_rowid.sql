-- WITHOUT ROWID: a payment's rows live in their primary key's b-tree, so an insert writes one page
-- (a WAL frame) instead of the table's and its key index's. drizzle cannot declare it: a
-- migration that rebuilds this table must keep it.
CREATE TABLE `__new_payments` (
	`order_id` text PRIMARY KEY NOT NULL,
	`payment_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_payments` (`order_id`, `payment_id`, `customer_id`, `amount`, `status`, `created_at`, `updated_at`) SELECT `order_id`, `payment_id`, `customer_id`, `amount`, `status`, `created_at`, `updated_at` FROM `payments`;
--> statement-breakpoint
DROP TABLE `payments`;
--> statement-breakpoint
ALTER TABLE `__new_payments` RENAME TO `payments`;
