import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { PACKAGE, buildSchema, type PackageSource, type PropertyType } from "../provider/schema";
import { SETTINGS } from "../provider/settings";

const ROOT = resolve(__dirname, "..");
const TOKEN = "egret:index:Organization";

type Json = Record<string, any>;

/** One property of a TypeScript interface or class, as written in the source. */
interface Member {
  name: string;
  optional: boolean;
  type: string;
  doc: string;
}

function normalize(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function docOf(node: ts.Node): string {
  const jsDoc = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc);
  return normalize(ts.getTextOfJSDocComment(jsDoc?.comment) ?? "");
}

function sourceOf(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(join(ROOT, path), "utf8"), ts.ScriptTarget.ES2022, true);
}

/** Finds a top-level interface or class by name. */
function declaration(path: string, name: string): ts.InterfaceDeclaration | ts.ClassDeclaration {
  const found = sourceOf(path).statements.find(
    (statement): statement is ts.InterfaceDeclaration | ts.ClassDeclaration =>
      (ts.isInterfaceDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name,
  );
  if (found === undefined) {
    throw new Error(`${name} was not found in ${path}`);
  }
  return found;
}

function membersOf(path: string, name: string): Member[] {
  const members: Member[] = [];
  for (const member of declaration(path, name).members) {
    if (!ts.isPropertySignature(member) && !ts.isPropertyDeclaration(member)) {
      continue;
    }
    members.push({
      name: member.name.getText(),
      optional: member.questionToken !== undefined,
      type: member.type?.getText() ?? "",
      doc: docOf(member),
    });
  }
  return members;
}

/** Unwraps a Pulumi input or output type: `pulumi.Input<pulumi.Input<string>[]>` becomes `string[]`. */
function plainType(type: string): string {
  let plain = type;
  for (let previous = ""; previous !== plain; ) {
    previous = plain;
    plain = plain.replace(/pulumi\.(Input|Output)<([^<>]*)>/g, "$2");
  }
  return plain.replace(/\s*\|\s*undefined$/, "");
}

/** Returns the TypeScript type that a schema type maps to. */
function typeScriptType(type: PropertyType): string {
  if (typeof type === "string") {
    return type === "integer" ? "number" : type;
  }
  if ("object" in type) {
    return type.object;
  }
  return `${typeScriptType(type.arrayOf)}[]`;
}

/** Collects every `$ref` in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(refsIn);
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => (key === "$ref" && typeof item === "string" ? [item] : refsIn(item)));
  }
  return [];
}

/**
 * Checks what Pulumi's code generators need of a schema: every `$ref` resolves, every required
 * name is a property, property names are camelCase, tokens are `egret:index:Name`, and every
 * property has a type and a description. Returns one line per problem.
 */
function structuralProblems(schema: Json): string[] {
  const problems: string[] = [];
  const types = (schema.types ?? {}) as Json;

  for (const ref of refsIn(schema)) {
    const local = /^#\/types\/(.+)$/.exec(ref);
    if (!ref.startsWith("pulumi.json#/") && (local === null || types[local[1]] === undefined)) {
      problems.push(`unresolved $ref ${ref}`);
    }
  }

  const checkProperties = (where: string, properties: Json = {}, required: string[] = []) => {
    for (const [name, property] of Object.entries(properties)) {
      if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) {
        problems.push(`${where}.${name} is not camelCase`);
      }
      if (property.type === undefined && property.$ref === undefined) {
        problems.push(`${where}.${name} has no type`);
      }
      if (typeof property.description !== "string" || property.description === "") {
        problems.push(`${where}.${name} has no description`);
      }
    }
    for (const name of required) {
      if (!(name in properties)) {
        problems.push(`${where} requires ${name}, which is not a property`);
      }
    }
  };

  checkProperties("config", schema.config?.variables);
  checkProperties("provider", schema.provider?.inputProperties, schema.provider?.requiredInputs);
  for (const [token, resource] of Object.entries(schema.resources ?? {}) as [string, Json][]) {
    if (!/^egret:index:[A-Z][A-Za-z0-9]*$/.test(token)) {
      problems.push(`resource token ${token} is not egret:index:Name`);
    }
    checkProperties(`${token} outputs`, resource.properties, resource.required);
    checkProperties(`${token} inputs`, resource.inputProperties, resource.requiredInputs);
  }
  for (const [token, fn] of Object.entries(schema.functions ?? {}) as [string, Json][]) {
    if (!/^egret:index:[a-z][A-Za-z0-9]*$/.test(token)) {
      problems.push(`function token ${token} is not egret:index:name`);
    }
    checkProperties(`${token} inputs`, fn.inputs?.properties, fn.inputs?.required);
    checkProperties(`${token} outputs`, fn.outputs?.properties, fn.outputs?.required);
  }
  for (const [token, type] of Object.entries(types) as [string, Json][]) {
    if (!/^egret:index:[A-Z][A-Za-z0-9]*$/.test(token)) {
      problems.push(`type token ${token} is not egret:index:Name`);
    }
    checkProperties(`${token}`, type.properties, type.required);
  }
  return problems;
}

/** A package with one invoke that returns a list of an object type, as a lookup would. */
function withListFunction(types: PackageSource["types"]): PackageSource {
  return {
    ...PACKAGE,
    functions: {
      listOrganizations: {
        description: "Lists the organizations of the API key's user.",
        inputs: {},
        outputs: {
          organizations: { type: { arrayOf: { object: "OrganizationSummary" } }, description: "The organizations." },
        },
        invoke: async () => ({ organizations: [] }),
      },
    },
    types,
  };
}

describe("package schema", () => {
  const schema = buildSchema() as Json;
  const resource = schema.resources[TOKEN] as Json;
  const args = membersOf("provider/dynamic/organization.ts", "OrganizationArgs");
  const classOutputs = membersOf("provider/dynamic/organization.ts", "Organization");
  const outputs = membersOf("provider/organization/types.ts", "OrganizationOutputs");
  const inputs = membersOf("provider/organization/types.ts", "OrganizationInputs");

  it("names the package and version", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

    expect(schema.name).toBe("egret");
    expect(schema.version).toBe(manifest.version);
    expect(Object.keys(schema.resources)).toEqual([TOKEN]);
  });

  it("has the inputs of OrganizationArgs", () => {
    expect(Object.keys(resource.inputProperties).sort()).toEqual(args.map((member) => member.name).sort());
    expect(Object.keys(resource.inputProperties).sort()).toEqual(inputs.map((member) => member.name).sort());
  });

  it("has the outputs of Organization", () => {
    expect(Object.keys(resource.properties).sort()).toEqual(classOutputs.map((member) => member.name).sort());
    expect(Object.keys(resource.properties).sort()).toEqual(outputs.map((member) => member.name).sort());
  });

  it("uses the JSDoc as descriptions", () => {
    for (const member of args) {
      expect(resource.inputProperties[member.name]?.description, `input ${member.name}`).toBe(member.doc);
    }
    for (const member of classOutputs) {
      expect(resource.properties[member.name]?.description, `output ${member.name}`).toBe(member.doc);
    }
    expect(resource.description).toBe(docOf(declaration("provider/dynamic/organization.ts", "Organization")));
  });

  it("uses the TypeScript types", () => {
    const properties = PACKAGE.resources.Organization.properties;
    for (const member of args) {
      expect(typeScriptType(properties[member.name].type), `input ${member.name}`).toBe(plainType(member.type));
    }
    for (const member of classOutputs) {
      expect(typeScriptType(properties[member.name].type), `output ${member.name}`).toBe(plainType(member.type));
    }
  });

  it("requires what TypeScript requires", () => {
    expect(resource.requiredInputs).toEqual(args.filter((member) => !member.optional).map((member) => member.name));
    expect([...resource.required].sort()).toEqual(
      outputs
        .filter((member) => !member.optional)
        .map((member) => member.name)
        .sort(),
    );
  });

  it("replaces on a slug change", () => {
    const replacing = Object.keys(resource.inputProperties).filter((name) => resource.inputProperties[name].willReplaceOnChanges);

    expect(replacing).toEqual(["slug"]);
  });

  it("passes the structural checks", () => {
    expect(structuralProblems(schema)).toEqual([]);
  });

  it("renders functions and object types", () => {
    const types = { OrganizationSummary: { description: "One organization.", properties: { slug: { type: "string" as const, description: "Slug." } } } };

    const sample = buildSchema(withListFunction(types)) as Json;

    expect(structuralProblems(sample)).toEqual([]);
    expect(sample.functions["egret:index:listOrganizations"].outputs.properties.organizations).toEqual({
      type: "array",
      items: { $ref: "#/types/egret:index:OrganizationSummary" },
      description: "The organizations.",
    });
    expect(sample.types["egret:index:OrganizationSummary"].required).toEqual(["slug"]);
  });

  it("reports a dangling reference", () => {
    const broken = buildSchema(withListFunction({})) as Json;
    broken.resources[TOKEN].required.push("noSuchOutput");

    expect(structuralProblems(broken)).toEqual([
      "unresolved $ref #/types/egret:index:OrganizationSummary",
      `${TOKEN} outputs requires noSuchOutput, which is not a property`,
    ]);
  });

  it("declares every setting as config", () => {
    expect(Object.keys(schema.config.variables)).toEqual(Object.keys(SETTINGS));
    expect(schema.provider.inputProperties).toEqual(schema.config.variables);
    expect(schema.config.variables.apiKey.secret).toBe(true);
    expect(Object.keys(schema.config.variables).filter((name) => schema.config.variables[name].secret)).toEqual(["apiKey"]);
    for (const [name, setting] of Object.entries(SETTINGS)) {
      expect(schema.config.variables[name].description, name).toContain(setting.env);
    }
  });

  it("names the SDK of each language", () => {
    expect(schema.language.nodejs.packageName).toBe("@egret/pulumi-sdk");
    expect(schema.language.python.packageName).toBe("pulumi_egret");
    expect(schema.language.go.importBasePath).toMatch(/\/egret$/);
    expect(schema.language.csharp.rootNamespace).toBe("Pulumi");
  });
});

describe("examples", () => {
  const resource = buildSchema().resources[TOKEN] as Json;
  const pythonFound = spawnSync("python3", ["--version"]).status === 0;

  it("sets only schema names in YAML", async () => {
    const yaml = (await import("js-yaml")) as { load(text: string): unknown };
    const project = yaml.load(readFileSync(join(ROOT, "examples/yaml-quickstart/Pulumi.yaml"), "utf8")) as Json;

    const organizations = Object.entries(project.resources as Json).filter(([, declared]) => declared.type === TOKEN);
    expect(organizations.map(([name]) => name)).toEqual(["main"]);
    for (const name of Object.keys(organizations[0][1].properties)) {
      expect(resource.inputProperties, name).toHaveProperty(name);
    }
    for (const expression of Object.values(project.outputs as Record<string, string>)) {
      const output = /^\$\{main\.(\w+)\}$/.exec(expression)?.[1];
      expect(output, expression).toBeDefined();
      expect(resource.properties, expression).toHaveProperty(output as string);
    }
  });

  it.skipIf(!pythonFound)("sets only schema names in Python", () => {
    // Lists the keyword arguments of egret.Organization(...) and the attributes read from the result.
    const script = [
      "import ast, json, sys",
      "tree = ast.parse(open(sys.argv[1]).read())",
      "calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == 'egret.Organization']",
      "reads = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and ast.unparse(n.value) == 'organization']",
      "print(json.dumps({'calls': len(calls), 'args': [k.arg for c in calls for k in c.keywords], 'reads': reads}))",
    ].join("\n");
    const result = spawnSync("python3", ["-c", script, join(ROOT, "examples/python-quickstart/__main__.py")], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    const found = JSON.parse(result.stdout) as { calls: number; args: string[]; reads: string[] };
    const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

    expect(found.calls).toBe(1);
    expect(found.args.length).toBeGreaterThan(0);
    for (const name of found.args) {
      expect(resource.inputProperties, name).toHaveProperty(camel(name));
    }
    expect(found.reads.length).toBeGreaterThan(0);
    for (const name of found.reads) {
      expect(resource.properties, name).toHaveProperty(camel(name));
    }
  });
});
