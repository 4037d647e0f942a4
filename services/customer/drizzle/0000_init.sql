CREATE TABLE `customers` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`registered_at` integer NOT NULL
);
