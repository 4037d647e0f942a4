CREATE TABLE `timers` (
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
	`fired_at` integer
);
--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`due_at`) WHERE "timers"."fired_at" is null;