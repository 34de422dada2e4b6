CREATE TABLE "custody_tests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agent_type" text NOT NULL,
	"difficulty" text NOT NULL,
	"seed" bigint NOT NULL,
	"cases" integer NOT NULL,
	"passed_cases" integer NOT NULL,
	"score" real NOT NULL,
	"passed" boolean NOT NULL,
	"xp_awarded" integer DEFAULT 0 NOT NULL,
	"details" jsonb NOT NULL,
	"task_id" uuid,
	"trigger" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "custody_tests" ADD CONSTRAINT "custody_tests_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "custody_tests_agent_idx" ON "custody_tests" USING btree ("agent_type","created_at");--> statement-breakpoint
CREATE INDEX "custody_tests_created_idx" ON "custody_tests" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "custody_tests_task_agent_key" ON "custody_tests" USING btree ("task_id","agent_type");