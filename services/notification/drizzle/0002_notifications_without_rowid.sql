-- WITHOUT ROWID: a notification's rows live in their primary key's b-tree, so an insert writes one page
-- (a WAL frame) instead of the table's and its key index's. drizzle cannot declare it: a
-- migration that rebuilds this table must keep it.
CREATE TABLE `__new_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text,
	`kind` text NOT NULL,
	`customer_id` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_notifications` (`id`, `order_id`, `kind`, `customer_id`, `message`, `status`, `attempts`, `next_attempt_at`, `last_error`, `created_at`, `sent_at`) SELECT `id`, `order_id`, `kind`, `customer_id`, `message`, `status`, `attempts`, `next_attempt_at`, `last_error`, `created_at`, `sent_at` FROM `notifications`;
--> statement-breakpoint
DROP TABLE `notifications`;
--> statement-breakpoint
ALTER TABLE `__new_notifications` RENAME TO `notifications`;
--> statement-breakpoint
CREATE INDEX `notifications_due` ON `notifications` (`next_attempt_at`) WHERE status = 'PENDING';
