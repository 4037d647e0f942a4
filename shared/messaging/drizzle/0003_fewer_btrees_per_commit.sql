-- Every b-tree a commit touches is at least one page (a WAL frame, two writes) more in that
-- commit. The inbox and the timers keep their rows in their primary key (WITHOUT ROWID: one
-- b-tree each instead of a table and its key's index); the outbox drops its event_id index
-- (ids are fresh uuidv7s, and nothing looks rows up by them).
DROP INDEX IF EXISTS `outbox_event_id_unique`;
--> statement-breakpoint
CREATE TABLE `__new_inbox` (
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`consumer`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_inbox` (`consumer`, `event_id`, `processed_at`) SELECT `consumer`, `event_id`, `processed_at` FROM `inbox`;
--> statement-breakpoint
DROP TABLE `inbox`;
--> statement-breakpoint
ALTER TABLE `__new_inbox` RENAME TO `inbox`;
--> statement-breakpoint
CREATE TABLE `__new_timers` (
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_timers` SELECT `id`, `kind`, `key`, `due_at`, `payload`, `saga_id`, `causation_id`, `correlation_id`, `traceparent`, `created_at`, `fired_at`, `attempts` FROM `timers`;
--> statement-breakpoint
DROP TABLE `timers`;
--> statement-breakpoint
ALTER TABLE `__new_timers` RENAME TO `timers`;
--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`due_at`) WHERE "timers"."fired_at" is null;
