CREATE TABLE "llm_response_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"response" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_experiments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"proposal_id" uuid,
	"command" text NOT NULL,
	"runs" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"commit" text,
	"isolation" text,
	"base_timings_ms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"proposal_timings_ms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"base_summary" jsonb,
	"proposal_summary" jsonb,
	"ratio" real,
	"error" text,
	"task_id" uuid,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"proposal_id" uuid,
	"kind" text NOT NULL,
	"commit" text NOT NULL,
	"checks_key" text NOT NULL,
	"commands" jsonb NOT NULL,
	"status" text NOT NULL,
	"isolation" text NOT NULL,
	"results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"task_id" uuid,
	"overhead_ms" integer,
	"duration_ms" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "token_usage" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent_type" text NOT NULL,
	"task_id" uuid,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"purpose" text,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"cached" boolean DEFAULT false NOT NULL,
	"outcome" text DEFAULT 'ok' NOT NULL,
	"error_code" text,
	"duration_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sandbox_experiments" ADD CONSTRAINT "sandbox_experiments_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_experiments" ADD CONSTRAINT "sandbox_experiments_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_runs" ADD CONSTRAINT "sandbox_runs_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_runs" ADD CONSTRAINT "sandbox_runs_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "llm_response_cache_expires_at_idx" ON "llm_response_cache" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sandbox_experiments_created_at_idx" ON "sandbox_experiments" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "sandbox_experiments_repository_id_idx" ON "sandbox_experiments" USING btree ("repository_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_runs_baseline_key" ON "sandbox_runs" USING btree ("repository_id","commit","checks_key") WHERE "sandbox_runs"."kind" = 'baseline';--> statement-breakpoint
CREATE INDEX "sandbox_runs_proposal_id_idx" ON "sandbox_runs" USING btree ("proposal_id","created_at");--> statement-breakpoint
CREATE INDEX "token_usage_created_at_idx" ON "token_usage" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "token_usage_agent_created_at_idx" ON "token_usage" USING btree ("agent_type","created_at");