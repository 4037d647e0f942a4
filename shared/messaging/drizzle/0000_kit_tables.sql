-- IF NOT EXISTS: a db made by release 0.1 already has these tables (from its service migrations).
CREATE TABLE IF NOT EXISTS `consumer_stats` (
	`consumer` text PRIMARY KEY NOT NULL,
	`handled` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `inbox` (
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`consumer`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`subject` text NOT NULL,
	`payload` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS `outbox_event_id_unique` ON `outbox` (`event_id`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `outbox_unsent` ON `outbox` (`seq`) WHERE "outbox"."sent_at" is null;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `step_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`saga_id` text,
	`step` text NOT NULL,
	`operation` text NOT NULL,
	`status` text NOT NULL,
	`event_in` text,
	`events_out` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `step_log_saga` ON `step_log` (`saga_id`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `step_log_created` ON `step_log` (`created_at`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `timers` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`due_at` integer NOT NULL,
	`payload` text NOT NULL,
	`saga_id` text,
	`causation_id` text,
	`correlation_id` text,
	`traceparent` text,
	`created_at` integer NOT NULL,
	`fired_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `timers_due` ON `timers` (`due_at`) WHERE "timers"."fired_at" is null;