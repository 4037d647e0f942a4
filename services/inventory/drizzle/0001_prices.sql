CREATE TABLE `prices` (
	`sku` text PRIMARY KEY NOT NULL,
	`unit_price` integer NOT NULL,
	`updated_at` integer NOT NULL
);
