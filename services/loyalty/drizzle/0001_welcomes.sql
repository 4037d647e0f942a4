CREATE TABLE `welcomes` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`points` integer NOT NULL,
	`created_at` integer NOT NULL
);
