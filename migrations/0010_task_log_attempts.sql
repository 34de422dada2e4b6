CREATE TABLE "task_log_attempts" (
	"task_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"lines" integer DEFAULT 0 NOT NULL,
	"dropped" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "task_log_attempts_task_id_attempt_pk" PRIMARY KEY("task_id","attempt")
);
--> statement-breakpoint
ALTER TABLE "task_log_attempts" ADD CONSTRAINT "task_log_attempts_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Lines stored before the limit was per attempt count towards their own attempt; a task's dropped lines were counted per task only, so they go to the attempt it ran last.
INSERT INTO "task_log_attempts" ("task_id", "attempt", "lines", "dropped")
SELECT l."task_id", l."attempt", count(*)::int, CASE WHEN l."attempt" = t."attempts" THEN t."logs_dropped" ELSE 0 END
FROM "task_logs" l JOIN "tasks" t ON t."id" = l."task_id"
GROUP BY l."task_id", l."attempt", t."attempts", t."logs_dropped";
