-- WITHOUT ROWID: an order's rows live in their primary key's b-tree, so an insert writes one page
-- (a WAL frame) instead of the table's and its key index's. drizzle cannot declare it: a
-- migration that rebuilds this table must keep it.
CREATE TABLE `__new_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`status` text NOT NULL,
	`items` text NOT NULL,
	`total` integer NOT NULL,
	`cancel_reason` text,
	`refund_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_orders` (`order_id`, `customer_id`, `status`, `items`, `total`, `cancel_reason`, `refund_reason`, `created_at`, `updated_at`) SELECT `order_id`, `customer_id`, `status`, `items`, `total`, `cancel_reason`, `refund_reason`, `created_at`, `updated_at` FROM `orders`;
--> statement-breakpoint
DROP TABLE `orders`;
--> statement-breakpoint
ALTER TABLE `__new_orders` RENAME TO `orders`;
--> statement-breakpoint
CREATE INDEX `orders_created` ON `orders` (`created_at`,`order_id`);
