-- The outbox's seq and the step log's id without AUTOINCREMENT: its counter (sqlite_sequence)
-- was one more page in every commit. Prune keeps each table's newest row, so a new row never
-- takes the seq or id of a deleted one.
CREATE TABLE `__new_outbox` (
	`seq` integer PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`subject` text NOT NULL,
	`payload` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_outbox`("seq", "event_id", "subject", "payload", "headers", "created_at", "sent_at") SELECT "seq", "event_id", "subject", "payload", "headers", "created_at", "sent_at" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`seq`) WHERE "outbox"."sent_at" is null;--> statement-breakpoint
CREATE TABLE `__new_step_log` (
	`id` integer PRIMARY KEY NOT NULL,
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
INSERT INTO `__new_step_log`("id", "saga_id", "step", "operation", "status", "event_in", "events_out", "error", "created_at", "updated_at") SELECT "id", "saga_id", "step", "operation", "status", "event_in", "events_out", "error", "created_at", "updated_at" FROM `step_log`;--> statement-breakpoint
DROP TABLE `step_log`;--> statement-breakpoint
ALTER TABLE `__new_step_log` RENAME TO `step_log`;--> statement-breakpoint
CREATE INDEX `step_log_saga` ON `step_log` (`saga_id`);--> statement-breakpoint
CREATE INDEX `step_log_problems` ON `step_log` (`id`) WHERE status != 'done';