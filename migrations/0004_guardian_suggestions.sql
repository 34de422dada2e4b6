CREATE TABLE "guardian_file_scans" (
	"repository_id" uuid NOT NULL,
	"file_path" text NOT NULL,
	"content_hash" text NOT NULL,
	"rules_key" text NOT NULL,
	"findings" integer NOT NULL,
	"commit" text NOT NULL,
	"scanned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guardian_file_scans_repository_id_file_path_pk" PRIMARY KEY("repository_id","file_path")
);
--> statement-breakpoint
CREATE TABLE "guardian_suggestions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"file_path" text NOT NULL,
	"rule_id" text NOT NULL,
	"issue_type" text NOT NULL,
	"cwe" text NOT NULL,
	"severity" text NOT NULL,
	"confidence" text NOT NULL,
	"line" integer NOT NULL,
	"column" integer NOT NULL,
	"end_line" integer NOT NULL,
	"end_column" integer NOT NULL,
	"message" text NOT NULL,
	"remediation" text NOT NULL,
	"code_snippet" text NOT NULL,
	"fix" jsonb,
	"content_hash" text NOT NULL,
	"commit" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"resolved" boolean DEFAULT false NOT NULL,
	"resolved_at" timestamp with time zone,
	"proposal_id" uuid,
	"review_reason" text,
	"review_note" text,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "guardian_file_scans" ADD CONSTRAINT "guardian_file_scans_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_suggestions" ADD CONSTRAINT "guardian_suggestions_repository_id_repositories_id_fk" FOREIGN KEY ("repository_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guardian_suggestions" ADD CONSTRAINT "guardian_suggestions_proposal_id_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."proposals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "guardian_suggestions_fingerprint_key" ON "guardian_suggestions" USING btree ("repository_id","fingerprint");--> statement-breakpoint
CREATE INDEX "guardian_suggestions_file_idx" ON "guardian_suggestions" USING btree ("repository_id","file_path");--> statement-breakpoint
CREATE INDEX "guardian_suggestions_status_idx" ON "guardian_suggestions" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "guardian_suggestions_severity_idx" ON "guardian_suggestions" USING btree ("severity");--> statement-breakpoint
CREATE INDEX "guardian_suggestions_rule_id_idx" ON "guardian_suggestions" USING btree ("rule_id");--> statement-breakpoint
CREATE INDEX "guardian_suggestions_created_at_idx" ON "guardian_suggestions" USING btree ("created_at","id");