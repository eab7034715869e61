"""Adopts an existing Egret organization and manages its name and allowed domains."""

import pulumi
import pulumi_egret as egret

config = pulumi.Config()

# Adopts an organization that already exists in the Egret dashboard and sets the two fields
# the API lets us manage. Fields left out here are never changed.
organization = egret.Organization(
    "main",
    slug=config.get("slug") or "egret-ai",
    name="Egret AI LLC",
    allowed_domains=["business-continuity"],
)

pulumi.export("organizationId", organization.organization_id)
pulumi.export("name", organization.name)
pulumi.export("allowedDomains", organization.allowed_domains)
pulumi.export("maxDocuments", organization.max_documents)
pulumi.export("documentCount", organization.document_count)
pulumi.export("maxStorageMb", organization.max_storage_mb)
pulumi.export("storageUsedMb", organization.storage_used_mb)
pulumi.export("kbStatus", organization.kb_status)
