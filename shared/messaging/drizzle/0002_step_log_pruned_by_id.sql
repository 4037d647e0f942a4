-- Pruned in id order (ids grow with created_at): one index fewer to write with every step.
DROP INDEX IF EXISTS `step_log_created`;