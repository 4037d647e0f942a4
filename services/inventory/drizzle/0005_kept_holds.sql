CREATE TABLE `hold_transfers` (
	`from_order_id` text NOT NULL,
	`to_order_id` text NOT NULL,
	`sku` text NOT NULL,
	`quantity` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`from_order_id`, `to_order_id`, `sku`)
);
--> statement-breakpoint
ALTER TABLE `reservations` ADD `customer_id` text;--> statement-breakpoint
CREATE INDEX `reservations_customer_status` ON `reservations` (`customer_id`,`status`);