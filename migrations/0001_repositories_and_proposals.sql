CREATE TABLE "proposal_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"proposal_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text,
	"reason" text,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ai_type" text NOT NULL,
	"repository_id" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"description" text,
	"rationale" text,
	"rule_id" text,
	"category" text,
	"confidence" real,
	"file_path" text NOT NULL,
	"changes" jsonb NOT NULL,
	"diff" text NOT NULL,
	"hunks" integer NOT NULL,
	"additions" integer NOT NULL,
	"deletions" integer NOT NULL,
	"content_hash" text NOT NULL,
	"base_commit" text,
	"test_results" jsonb,
	"findings" jsonb,
	"review_reason" text,
	"review_note" text,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"applied_commit" text,
	"applied_branch" text,
	"pull_request_url" text,
	"pull_request_error" text,
	"apply_error" jsonb,
	"superseded_by" uuid,
	"expires_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repositories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"clone_url" text,
	"path" text NOT NULL,
	"default_branch" text NOT NULL,
	"head_commit" text,
	"check_commands" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"policy" jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_synced_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "proposal_transitions" ADD CONSTRAINT "proposal_transitions_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "proposal_transitions_proposal_id_idx" ON "proposal_transitions" USING btree ("proposal_id","id");--> statement-breakpoint
CREATE INDEX "proposals_status_idx" ON "proposals" USING btree ("status");--> statement-breakpoint
CREATE INDEX "proposals_ai_type_idx" ON "proposals" USING btree ("ai_type");--> statement-breakpoint
CREATE INDEX "proposals_repository_id_idx" ON "proposals" USING btree ("repository_id");--> statement-breakpoint
CREATE INDEX "proposals_rule_id_idx" ON "proposals" USING btree ("rule_id");--> statement-breakpoint
CREATE INDEX "proposals_created_at_idx" ON "proposals" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "proposals_content_hash_live_key" ON "proposals" USING btree ("content_hash") WHERE "proposals"."status" not in ('expired', 'superseded', 'apply-failed');--> statement-breakpoint
CREATE UNIQUE INDEX "repositories_path_key" ON "repositories" USING btree ("path");