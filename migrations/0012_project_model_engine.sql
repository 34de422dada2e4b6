ALTER TABLE "projects" ADD COLUMN "engine" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "token_budget" integer;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "time_budget_seconds" integer;