CREATE TABLE `hold_transfers` (
	`from_order_id` text NOT NULL,
	`to_order_id` text NOT NULL,
	`sku` text NOT NULL,
	`quantity` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`from_order_id`, `to_order_id`, `sku`)
);
--> statement-breakpoint
CREATE TABLE `reservation_lines` (
	`order_id` text NOT NULL,
	`sku` text NOT NULL,
	`quantity` integer NOT NULL,
	PRIMARY KEY(`order_id`, `sku`),
	FOREIGN KEY (`order_id`) REFERENCES `reservations`(`order_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `reservations` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reservations_customer_status` ON `reservations` (`customer_id`,`status`);--> statement-breakpoint
CREATE TABLE `stock` (
	`sku` text PRIMARY KEY NOT NULL,
	`available` integer NOT NULL,
	`held` integer NOT NULL,
	`sold` integer NOT NULL,
	`received` integer NOT NULL,
	`updated_at` integer NOT NULL
);
