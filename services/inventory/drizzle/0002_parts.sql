CREATE TABLE `reservation_parts` (
	`order_id` text NOT NULL,
	`part` integer NOT NULL,
	`parts` integer NOT NULL,
	`answer` text NOT NULL,
	`held` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`order_id`, `part`)
);
