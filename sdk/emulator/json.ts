/**
 * JSON parsing for seeds and control bodies, with errors that never quote the text. JSON.parse's
 * own message can quote part of the text (Node.js 20: `Unexpected token 'x', "..." is not valid
 * JSON`), and a seed contains API keys.
 */

/** Result of parsing JSON text: the value, or where the first syntax error is. */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses JSON text. A syntax error is described by its line, column and position only. */
export function parseJsonText(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: describeSyntaxError(text, syntaxErrorPosition(text)) };
  }
}

function describeSyntaxError(text: string, position: number | undefined): string {
  if (position === undefined) {
    return "syntax error at an unknown position";
  }

  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - (before.lastIndexOf("\n") + 1) + 1;
  const where = `line ${line}, column ${column} (position ${position})`;
  return position >= text.length ? `the text ends too early, at ${where}` : `syntax error at ${where}`;
}

/** Thrown inside the scanner at the first character that JSON does not allow there. */
class SyntaxErrorAt {
  constructor(readonly position: number) {}
}

/**
 * Returns the position (UTF-16 offset) of the first syntax error in `text`, following the JSON
 * grammar of RFC 8259, or undefined when the scanner finds none or the nesting is too deep for
 * the call stack.
 */
function syntaxErrorPosition(text: string): number | undefined {
  let index = 0;

  const fail = (): never => {
    throw new SyntaxErrorAt(index);
  };
  const isDigit = (character: string | undefined) => character !== undefined && character >= "0" && character <= "9";
  const skipWhitespace = () => {
    while (text[index] === " " || text[index] === "\t" || text[index] === "\n" || text[index] === "\r") {
      index += 1;
    }
  };
  const expect = (character: string) => {
    if (text[index] !== character) {
      fail();
    }
    index += 1;
  };

  const scanDigits = () => {
    if (!isDigit(text[index])) {
      fail();
    }
    while (isDigit(text[index])) {
      index += 1;
    }
  };

  const scanNumber = () => {
    if (text[index] === "-") {
      index += 1;
    }
    if (text[index] === "0") {
      index += 1;
    } else {
      scanDigits();
    }
    if (text[index] === ".") {
      index += 1;
      scanDigits();
    }
    if (text[index] === "e" || text[index] === "E") {
      index += 1;
      if (text[index] === "+" || text[index] === "-") {
        index += 1;
      }
      scanDigits();
    }
  };

  const scanString = () => {
    expect('"');
    for (;;) {
      const character = text[index];
      if (character === undefined || character < " ") {
        fail();
      }
      index += 1;
      if (character === '"') {
        return;
      }
      if (character !== "\\") {
        continue;
      }

      const escaped = text[index];
      if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) {
        index += 1;
      } else if (escaped === "u") {
        index += 1;
        for (let digit = 0; digit < 4; digit += 1) {
          if (!/^[0-9a-fA-F]$/.test(text[index] ?? "")) {
            fail();
          }
          index += 1;
        }
      } else {
        fail();
      }
    }
  };

  const scanValue = (): void => {
    skipWhitespace();
    const character = text[index];

    if (character === "{") {
      index += 1;
      skipWhitespace();
      if (text[index] === "}") {
        index += 1;
        return;
      }
      for (;;) {
        skipWhitespace();
        scanString();
        skipWhitespace();
        expect(":");
        scanValue();
        skipWhitespace();
        if (text[index] === "}") {
          index += 1;
          return;
        }
        expect(",");
      }
    }

    if (character === "[") {
      index += 1;
      skipWhitespace();
      if (text[index] === "]") {
        index += 1;
        return;
      }
      for (;;) {
        scanValue();
        skipWhitespace();
        if (text[index] === "]") {
          index += 1;
          return;
        }
        expect(",");
      }
    }

    if (character === '"') {
      scanString();
      return;
    }
    if (character === "-" || isDigit(character)) {
      scanNumber();
      return;
    }

    const literal = ["true", "false", "null"].find((word) => word[0] === character);
    if (literal === undefined) {
      fail();
    }
    for (const expected of literal as string) {
      expect(expected);
    }
  };

  try {
    scanValue();
    skipWhitespace();
    if (index < text.length) {
      fail();
    }
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxErrorAt) {
      return error.position;
    }
    if (error instanceof RangeError) {
      return undefined;
    }
    throw error;
  }
}
