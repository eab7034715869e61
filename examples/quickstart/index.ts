import * as pulumi from "@pulumi/pulumi";
import * as egret from "@egret/pulumi";

const config = new pulumi.Config();

// Adopts an organization that already exists in the Egret dashboard and sets the two fields
// the API lets us manage. Fields left out here are never changed.
const organization = new egret.Organization("main", {
  slug: config.get("slug") ?? "egret-ai",
  name: "Egret AI LLC",
  allowedDomains: ["business-continuity"],
});

export const organizationId = organization.organizationId;
export const name = organization.name;
export const allowedDomains = organization.allowedDomains;
export const maxDocuments = organization.maxDocuments;
export const documentCount = organization.documentCount;
export const maxStorageMb = organization.maxStorageMb;
export const storageUsedMb = organization.storageUsedMb;
export const maxMembers = organization.maxMembers;
export const memberCount = organization.memberCount;
export const kbStatus = organization.kbStatus;
