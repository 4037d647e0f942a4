-- WITHOUT ROWID: a reservation's rows, and its lines, live in their primary key's b-tree, so an
-- insert writes one page (a WAL frame) instead of the table's and its key index's. drizzle
-- cannot declare it: a migration that rebuilds these tables must keep it. (The kit runs
-- migrations with foreign keys off and checks them after.)
CREATE TABLE `__new_reservations` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_reservations` (`order_id`, `customer_id`, `status`, `created_at`, `updated_at`) SELECT `order_id`, `customer_id`, `status`, `created_at`, `updated_at` FROM `reservations`;
--> statement-breakpoint
DROP TABLE `reservations`;
--> statement-breakpoint
ALTER TABLE `__new_reservations` RENAME TO `reservations`;
--> statement-breakpoint
CREATE INDEX `reservations_customer_status` ON `reservations` (`customer_id`,`status`);
--> statement-breakpoint
CREATE TABLE `__new_reservation_lines` (
	`order_id` text NOT NULL,
	`sku` text NOT NULL,
	`quantity` integer NOT NULL,
	PRIMARY KEY(`order_id`, `sku`),
	FOREIGN KEY (`order_id`) REFERENCES `reservations`(`order_id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_reservation_lines` (`order_id`, `sku`, `quantity`) SELECT `order_id`, `sku`, `quantity` FROM `reservation_lines`;
--> statement-breakpoint
DROP TABLE `reservation_lines`;
--> statement-breakpoint
ALTER TABLE `__new_reservation_lines` RENAME TO `reservation_lines`;
