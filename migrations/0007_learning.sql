CREATE TABLE "agent_progress" (
	"agent_type" text PRIMARY KEY NOT NULL,
	"xp" integer DEFAULT 0 NOT NULL,
	"level" integer DEFAULT 1 NOT NULL,
	"verdicts" integer DEFAULT 0 NOT NULL,
	"accepted" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"applied" integer DEFAULT 0 NOT NULL,
	"apply_failed" integer DEFAULT 0 NOT NULL,
	"tests_given" integer DEFAULT 0 NOT NULL,
	"tests_passed" integer DEFAULT 0 NOT NULL,
	"tests_failed" integer DEFAULT 0 NOT NULL,
	"consecutive_passes" integer DEFAULT 0 NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"recent_verdicts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"last_event_id" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "learning_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"proposal_id" uuid,
	"repository_id" uuid,
	"agent_type" text NOT NULL,
	"rule_id" text,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"features" jsonb NOT NULL,
	"predicted_score" real,
	"xp_delta" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "learning_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	"weights" jsonb NOT NULL,
	"metrics" jsonb,
	"trained_on" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "learning_suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"rule_id" text NOT NULL,
	"acceptance" real NOT NULL,
	"verdicts" integer NOT NULL,
	"suppressed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" text,
	"lifted_at_event_id" bigint
);
--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "acceptance_score" real;--> statement-breakpoint
ALTER TABLE "learning_events" ADD CONSTRAINT "learning_events_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_suppressions" ADD CONSTRAINT "learning_suppressions_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "learning_events_proposal_kind_key" ON "learning_events" USING btree ("proposal_id","kind");--> statement-breakpoint
CREATE INDEX "learning_events_kind_idx" ON "learning_events" USING btree ("kind","id");--> statement-breakpoint
CREATE INDEX "learning_events_agent_idx" ON "learning_events" USING btree ("agent_type","id");--> statement-breakpoint
CREATE INDEX "learning_events_repository_rule_idx" ON "learning_events" USING btree ("repository_id","rule_id");--> statement-breakpoint
CREATE UNIQUE INDEX "learning_models_kind_version_key" ON "learning_models" USING btree ("kind","version");--> statement-breakpoint
CREATE UNIQUE INDEX "learning_suppressions_active_key" ON "learning_suppressions" USING btree ("repository_id","rule_id") WHERE "learning_suppressions"."lifted_at" is null;