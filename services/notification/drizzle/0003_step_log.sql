CREATE TABLE `step_log` (
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
CREATE INDEX `step_log_saga` ON `step_log` (`saga_id`);--> statement-breakpoint
CREATE INDEX `step_log_created` ON `step_log` (`created_at`);