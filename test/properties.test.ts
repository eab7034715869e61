import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { checkOrganization, NAME_MAX_LENGTH, normalizeDomains, UNKNOWN } from "../provider/organization/check";
import { parseJsonText } from "../sdk/emulator/json";

/** Property-based tests of the input checks: they must never throw and must report every problem. */

const RUNS = { numRuns: 500 };

const validSlug = fc.stringMatching(/^[-a-zA-Z0-9_]{1,50}$/);
const validDomain = fc.stringMatching(/^[-a-z0-9_]{1,30}$/);
const validName = fc
  .string({ minLength: 1, maxLength: NAME_MAX_LENGTH, unit: "grapheme" })
  .filter((name) => [...name].length <= NAME_MAX_LENGTH)
  .filter((name) => name.trim() === name && name !== "" && !/[\u0000-\u001f\u007f-\u009f]/.test(name));

const invalidSlug = fc.oneof(
  fc.constant(""),
  fc.stringMatching(/^[a-z]{51,80}$/),
  fc.stringMatching(/^[a-z]{1,10}[ /.?#%\n][a-z]{0,10}$/),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
);
const invalidName = fc.oneof(
  fc.constantFrom("", "   ", "\t", " Egret", "Egret ", "Egret\nAI", "Egret\u0000AI", "Egret\u009bAI"),
  fc.string({ minLength: NAME_MAX_LENGTH + 1, maxLength: NAME_MAX_LENGTH + 40, unit: "binary-ascii" }).map(
    (text) => `x${text.replace(/\s/g, "y")}x`,
  ),
  fc.integer(),
  fc.constant(null),
  fc.object({ maxDepth: 1 }),
);
const invalidDomain = fc.oneof(
  fc.constant(""),
  fc.stringMatching(/^[a-z]{101,120}$/),
  fc.stringMatching(/^[a-z]{1,5}[ .!/][a-z]{1,5}$/),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
);

/** Places each value of `extra` somewhere in `list`, by the given positions. */
function interleave<T>(list: readonly T[], extra: readonly T[], positions: readonly number[]): T[] {
  const result = [...list];
  extra.forEach((value, index) => {
    const position = (positions[index] ?? 0) % (result.length + 1);
    result.splice(position, 0, value);
  });
  return result;
}

describe("checkOrganization", () => {
  it("never throws on any value", () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true }), (news) => {
        const result = checkOrganization(news);
        expect(Array.isArray(result.failures)).toBe(true);
      }),
      RUNS,
    );
  });

  it("never throws on any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (news) => {
        const { inputs, failures } = checkOrganization(news);
        expect(typeof inputs).toBe("object");
        for (const failure of failures) {
          expect(typeof failure.property).toBe("string");
          expect(failure.reason.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it("never throws on any value of a known property", () => {
    const anyValue = fc.anything({ withNullPrototype: true, withBigInt: true, withSparseArray: true });
    fc.assert(
      fc.property(
        fc.record(
          { slug: anyValue, name: anyValue, allowedDomains: fc.oneof(anyValue, fc.array(anyValue)), restoreOnDelete: anyValue },
          { requiredKeys: [] },
        ),
        (news) => {
          const { failures } = checkOrganization(news);
          for (const failure of failures) {
            expect(failure.property).toMatch(/^(slug|name|restoreOnDelete|allowedDomains(\[\d+\])?)$/);
          }
        },
      ),
      RUNS,
    );
  });

  it("accepts valid inputs", () => {
    fc.assert(
      fc.property(validSlug, fc.option(validName, { nil: undefined }), fc.array(validDomain, { maxLength: 8 }), (slug, name, domains) => {
        const { failures } = checkOrganization({ slug, name, allowedDomains: domains, restoreOnDelete: true });
        expect(failures).toEqual([]);
      }),
      RUNS,
    );
  });

  it("reports every invalid input at once", () => {
    fc.assert(
      fc.property(
        fc.oneof(validSlug, invalidSlug),
        fc.oneof(validName, invalidName),
        fc.array(validDomain, { maxLength: 5 }),
        fc.array(invalidDomain, { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (slug, name, goodDomains, badDomains, positions) => {
          const domains = interleave(goodDomains, badDomains, positions);
          const { failures } = checkOrganization({ slug, name, allowedDomains: domains });

          const reported = new Set(failures.map((failure) => failure.property));
          const expected = new Set<string>();
          if (typeof slug !== "string" || !/^[-a-zA-Z0-9_]{1,50}$/.test(slug)) {
            expected.add("slug");
          }
          if (
            typeof name !== "string" ||
            name.trim() !== name ||
            name === "" ||
            [...name].length > NAME_MAX_LENGTH ||
            /[\u0000-\u001f\u007f-\u009f]/.test(name)
          ) {
            expected.add("name");
          }
          domains.forEach((domain, index) => {
            if (badDomains.includes(domain)) {
              expected.add(`allowedDomains[${index}]`);
            }
          });
          expect([...reported].sort()).toEqual([...expected].sort());
        },
      ),
      RUNS,
    );
  });

  it("ignores domain order and duplicates", () => {
    fc.assert(
      fc.property(fc.array(validDomain, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (domains, positions) => {
        const shuffled = interleave([], domains, positions);
        const repeated = interleave(shuffled, domains.slice(0, 3), positions);

        const first = checkOrganization({ slug: "egret-ai", allowedDomains: domains });
        const second = checkOrganization({ slug: "egret-ai", allowedDomains: repeated });

        expect(second.inputs.allowedDomains).toEqual(first.inputs.allowedDomains);
        expect(second.failures).toEqual([]);
      }),
      RUNS,
    );
  });

  it("gives each failure its path and fix", () => {
    const { failures } = checkOrganization({
      slug: "Egret AI!",
      name: ` ${"n".repeat(NAME_MAX_LENGTH)}\n`,
      allowedDomains: ["legal", 42, "no spaces", ""],
    });

    expect(failures).toEqual([
      {
        property: "slug",
        reason:
          `invalid slug "Egret AI!": it may contain only letters, digits, '-' and '_'. Use the organization's slug ` +
          "from the Egret dashboard (letters, digits, '-' and '_', at most 50 characters)",
      },
      { property: "name", reason: expect.stringContaining("starts or ends with whitespace, which the API removes; remove it") },
      { property: "name", reason: `name is ${NAME_MAX_LENGTH + 2} characters long; shorten it to at most ${NAME_MAX_LENGTH}` },
      { property: "name", reason: expect.stringContaining("contains a control character (such as a newline or tab); remove it") },
      { property: "allowedDomains[1]", reason: 'domain must be a string such as "business-continuity", got number 42' },
      { property: "allowedDomains[2]", reason: expect.stringContaining('invalid domain "no spaces": a domain slug has 1 to 100') },
      { property: "allowedDomains[3]", reason: expect.stringContaining('invalid domain "": a domain slug has 1 to 100') },
    ]);
  });

  it("leaves unknown values unchecked", () => {
    const { failures, inputs } = checkOrganization({ slug: UNKNOWN, name: UNKNOWN, allowedDomains: ["legal", UNKNOWN] });

    expect(failures).toEqual([]);
    expect(inputs.allowedDomains).toEqual(["legal", UNKNOWN]);
  });

  it("counts name length in characters", () => {
    const emoji = "\u{1F426}".repeat(NAME_MAX_LENGTH);

    expect(checkOrganization({ slug: "egret-ai", name: emoji }).failures).toEqual([]);
    expect(checkOrganization({ slug: "egret-ai", name: `${emoji}x` }).failures.map((failure) => failure.property)).toEqual([
      "name",
    ]);
  });
});

describe("normalizeDomains", () => {
  it("never throws on any array", () => {
    fc.assert(
      fc.property(fc.array(fc.anything({ withNullPrototype: true, withBigInt: true })), (domains) => {
        expect(Array.isArray(normalizeDomains(domains))).toBe(true);
      }),
      RUNS,
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.jsonValue())), (domains) => {
        const once = normalizeDomains(domains);
        expect(normalizeDomains(once)).toEqual(once);
      }),
      RUNS,
    );
  });

  it("ignores order and duplicates", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), (domains, positions) => {
        const reordered = interleave([], domains, positions);
        const repeated = interleave(reordered, domains, [...positions].reverse());

        expect(normalizeDomains(repeated)).toEqual(normalizeDomains(domains));
      }),
      RUNS,
    );
  });

  it("returns each string once, sorted", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 10 }), (domains) => {
        const normalized = normalizeDomains(domains) as string[];
        expect(new Set(normalized).size).toBe(normalized.length);
        expect(normalized).toEqual([...normalized].sort());
        expect(new Set(normalized)).toEqual(new Set(domains));
      }),
      RUNS,
    );
  });
});

/** JSON-like text: random runs of JSON's own characters, and valid JSON with one character inserted or removed. */
const JSON_CHARACTERS = [..."{}[]:,\"\\u019-+.eEtrufalsn \n\tAx", "\u0001"];
const jsonLikeText = fc.oneof(
  fc.array(fc.constantFrom(...JSON_CHARACTERS), { maxLength: 20 }).map((characters) => characters.join("")),
  fc
    .tuple(fc.json(), fc.nat(), fc.constantFrom(...JSON_CHARACTERS), fc.boolean())
    .map(([text, at, character, remove]) => {
      const index = at % (text.length + 1);
      return remove ? text.slice(0, index) + text.slice(index + 1) : text.slice(0, index) + character + text.slice(index);
    }),
);

describe("parseJsonText", () => {
  it("locates errors as JSON.parse does", () => {
    fc.assert(
      fc.property(jsonLikeText, (text) => {
        let v8Error: string | undefined;
        try {
          JSON.parse(text);
        } catch (error) {
          v8Error = (error as Error).message;
        }

        const parsed = parseJsonText(text);

        expect(parsed.ok).toBe(v8Error === undefined);
        if (v8Error === undefined || parsed.ok) {
          return;
        }
        expect(parsed.error).toMatch(/^(syntax error at|the text ends too early, at) line \d+, column \d+ \(position \d+\)$/);
        const v8Position = /at position (\d+)/.exec(v8Error)?.[1];
        if (v8Position !== undefined) {
          expect(parsed.error).toContain(`(position ${v8Position})`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
