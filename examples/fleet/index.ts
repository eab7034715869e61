import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as egret from "@egret/pulumi";
import { loadFleetFile } from "./fleet";

const config = new pulumi.Config();

// One Organization per entry of the file, named by its slug. A broken file stops the program
// before anything is registered, with every problem listed in one message.
const fleet = loadFleetFile(resolve(__dirname, config.get("organizationsFile") ?? "organizations.yaml"));
const quotaWarningPercent = config.getNumber("quotaWarningPercent") ?? 90;

const organizations = fleet.map(
  (entry) =>
    new egret.Organization(entry.slug, {
      slug: entry.slug,
      name: entry.name,
      allowedDomains: entry.allowedDomains,
      quotaWarningPercent,
    }),
);

/** Slugs of the managed organizations, in file order. */
export const slugs = pulumi.all(organizations.map((organization) => organization.slug));

/** Share of each plan limit in use, by slug. */
export const usage = pulumi
  .all(
    organizations.map((organization) =>
      pulumi.all([
        organization.slug,
        organization.documentsUsedPercent,
        organization.storageUsedPercent,
        organization.membersUsedPercent,
      ]),
    ),
  )
  .apply((rows) =>
    Object.fromEntries(
      rows.map(([slug, documents, storage, members]) => [slug, { documents, storage, members }]),
    ),
  );
