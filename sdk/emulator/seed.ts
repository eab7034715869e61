/**
 * The data an emulator starts from, and the default data set used when none is given.
 */

/** An API key's user, as the emulator stores it. */
export interface EmulatorKey {
  /** Email of the user who owns the key. New organizations of this key get it as `owner_email`. */
  email: string;
  /** When false, every API call with this key gets 403. Default true. */
  active?: boolean;
}

/**
 * One organization in a seed: the snake_case fields of the API's organization object plus the
 * internal `owner_key`, which the API never serializes.
 *
 * Fields left out get defaults. `id` is a random UUID, `name` the slug, `owner_email` the key's
 * email, `s3_prefix` `orgs/<slug>/` and `allowed_domains` `[]`. The plan limits are those of the
 * sample organization (50 documents, 500 MB, 5 members) and usage is zero with one member.
 * `kb_status` is `active`, `is_active` true and both timestamps are the load time. `max_storage_mb` and `storage_used_mb`
 * are computed from the byte fields and must not be given. Any other snake_case field is stored
 * and serialized after the documented ones.
 */
export type SeedOrganization = Record<string, unknown> & { owner_key: string; slug: string };

/** Initial data of an emulator: the domain catalogue, the API keys and the organizations. */
export interface EmulatorSeed {
  /** Domain catalogue: the slugs that `allowed_domains` may contain. */
  domains: string[];
  /** API keys, each mapped to its user. */
  keys: Record<string, EmulatorKey>;
  /** Organizations in list order. */
  organizations: SeedOrganization[];
}

/** Key of the demo user, who owns `egret-ai` and `egret-labs`. */
export const DEMO_KEY = "egret_demo_key";

/** Key of another user, who owns `other-co`. */
export const OTHER_KEY = "egret_other_key";

/** Inactive key: every API call with it gets 403. */
export const SUSPENDED_KEY = "egret_suspended_key";

/**
 * Returns a new copy of the default seed, so callers may change it freely.
 *
 * `egret-ai` is the organization of the vendor's sample response, field for field.
 */
export function defaultSeed(): EmulatorSeed {
  return {
    domains: [
      "business-continuity",
      "compliance",
      "engineering",
      "finance",
      "human-resources",
      "legal",
      "operations",
      "security",
    ],
    keys: {
      [DEMO_KEY]: { email: "you@example.com", active: true },
      [OTHER_KEY]: { email: "other@example.com", active: true },
      [SUSPENDED_KEY]: { email: "suspended@example.com", active: false },
    },
    organizations: [
      {
        owner_key: DEMO_KEY,
        id: "0d4f8133-cefb-47da-8a7b-fb118b1895e9",
        slug: "egret-ai",
        name: "Egret AI",
        owner_email: "you@example.com",
        s3_prefix: "orgs/egret-ai/",
        allowed_domains: [],
        max_documents: 50,
        max_storage_bytes: 524288000,
        max_members: 5,
        document_count: 1,
        storage_used_bytes: 408970,
        member_count: 1,
        kb_status: "active",
        is_active: true,
        created_at: "2026-03-25T21:54:52.674567Z",
        updated_at: "2026-03-25T21:54:52.674598Z",
      },
      {
        owner_key: DEMO_KEY,
        id: "5b7e2c1a-9f3d-4e8b-a6c2-1d0f7e9a3b54",
        slug: "egret-labs",
        name: "Egret Labs",
        owner_email: "you@example.com",
        s3_prefix: "orgs/egret-labs/",
        allowed_domains: ["business-continuity"],
        max_documents: 50,
        max_storage_bytes: 524288000,
        max_members: 5,
        document_count: 12,
        storage_used_bytes: 7340032,
        member_count: 2,
        kb_status: "active",
        is_active: true,
        created_at: "2026-03-26T09:12:03.114208Z",
        updated_at: "2026-03-26T09:12:03.114231Z",
      },
      {
        owner_key: OTHER_KEY,
        id: "c3a91f06-2b8e-4d57-9e14-7f6a0b2c8d19",
        slug: "other-co",
        name: "Other Co",
        owner_email: "other@example.com",
        s3_prefix: "orgs/other-co/",
        allowed_domains: ["finance", "legal"],
        max_documents: 50,
        max_storage_bytes: 524288000,
        max_members: 5,
        document_count: 0,
        storage_used_bytes: 0,
        member_count: 1,
        kb_status: "active",
        is_active: true,
        created_at: "2026-02-11T14:03:27.500012Z",
        updated_at: "2026-02-11T14:03:27.500040Z",
      },
      {
        owner_key: SUSPENDED_KEY,
        id: "8e0d5a47-61c9-4f2b-b3e8-95a7c4d1f206",
        slug: "dormant-co",
        name: "Dormant Co",
        owner_email: "suspended@example.com",
        s3_prefix: "orgs/dormant-co/",
        allowed_domains: [],
        max_documents: 50,
        max_storage_bytes: 524288000,
        max_members: 5,
        document_count: 0,
        storage_used_bytes: 0,
        member_count: 1,
        kb_status: "suspended",
        is_active: false,
        created_at: "2026-01-05T08:30:00.000000Z",
        updated_at: "2026-01-20T17:45:10.250000Z",
      },
    ],
  };
}
