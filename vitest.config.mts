import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Programs under test import the package by name, as users do; it resolves to the build.
    alias: [{ find: /^@egret\/pulumi$/, replacement: fileURLToPath(new URL("dist/provider/index.js", import.meta.url)) }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Each file runs in its own process: Pulumi's mocks and closure serializer are process-wide.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
