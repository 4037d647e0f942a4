CREATE TABLE `consumer_stats` (
	`consumer` text PRIMARY KEY NOT NULL,
	`handled` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
