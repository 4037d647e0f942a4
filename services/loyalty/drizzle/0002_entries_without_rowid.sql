-- WITHOUT ROWID: an entry's rows live in their primary key's b-tree, so an insert writes one page
-- (a WAL frame) instead of the table's and its key index's. drizzle cannot declare it: a
-- migration that rebuilds this table must keep it.
CREATE TABLE `__new_entries` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`points` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_entries` (`order_id`, `customer_id`, `points`, `status`, `created_at`, `updated_at`) SELECT `order_id`, `customer_id`, `points`, `status`, `created_at`, `updated_at` FROM `entries`;
--> statement-breakpoint
DROP TABLE `entries`;
--> statement-breakpoint
ALTER TABLE `__new_entries` RENAME TO `entries`;
