import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldForMatching, normalizeText } from "../../../lambdas/domain/text";

/**
 * Vietnamese vowels and "đ" in lower case, grouped by the ASCII letter that folding must leave.
 * Written as escapes so that the source file's own normalization cannot change the test.
 */
const VIETNAMESE_LETTERS: Readonly<Record<string, string>> = {
  a: "a\u00e0\u00e1\u1ea3\u00e3\u1ea1\u0103\u1eb1\u1eaf\u1eb3\u1eb5\u1eb7\u00e2\u1ea7\u1ea5\u1ea9\u1eab\u1ead",
  e: "e\u00e8\u00e9\u1ebb\u1ebd\u1eb9\u00ea\u1ec1\u1ebf\u1ec3\u1ec5\u1ec7",
  i: "i\u00ec\u00ed\u1ec9\u0129\u1ecb",
  o: "o\u00f2\u00f3\u1ecf\u00f5\u1ecd\u00f4\u1ed3\u1ed1\u1ed5\u1ed7\u1ed9\u01a1\u1edd\u1edb\u1edf\u1ee1\u1ee3",
  u: "u\u00f9\u00fa\u1ee7\u0169\u1ee5\u01b0\u1eeb\u1ee9\u1eed\u1eef\u1ef1",
  y: "y\u1ef3\u00fd\u1ef7\u1ef9\u1ef5",
  d: "d\u0111",
};

const FOLDED_BY_LETTER = new Map(
  Object.entries(VIETNAMESE_LETTERS).flatMap(([base, letters]) =>
    [...letters].map((letter) => [letter, base] as const),
  ),
);

/** A Vietnamese letter or an ASCII consonant or digit, paired with what folding must turn it into. */
const letterWithFolding = fc.oneof(
  fc.constantFrom(...FOLDED_BY_LETTER.entries()),
  fc.constantFrom(..."bcghklmnpqrstvx0123456789").map((letter) => [letter, letter] as const),
);

/** Words of Vietnamese text in random case and Unicode form, joined by punctuation, with the expected folding. */
const vietnameseText = fc
  .array(
    fc.record({
      letters: fc.array(fc.tuple(letterWithFolding, fc.boolean()), { minLength: 1, maxLength: 8 }),
      separator: fc.constantFrom(" ", "  ", "-", "*", ".", ", ", "/", "\t"),
      form: fc.constantFrom("NFC", "NFD"),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((words) => ({
    text: words
      .map(({ letters, separator, form }) => {
        const word = letters.map(([[letter], upper]) => (upper ? letter.toUpperCase() : letter)).join("");
        return `${word.normalize(form)}${separator}`;
      })
      .join(""),
    folded: words.map(({ letters }) => letters.map(([[, folded]]) => folded).join("")).join(" "),
  }));

describe("normalizeText", () => {
  it("composes a decomposed Vietnamese name", () => {
    // Prepare
    const decomposed = "Phu\u0301c Long";

    // Act
    const normalized = normalizeText(decomposed);

    // Assess
    expect(normalized).toBe("Ph\u00fac Long");
    expect(normalized).toHaveLength(9);
  });

  it("composes stacked Vietnamese diacritics", () => {
    // Prepare
    const decomposed = "Nguye\u0302\u0303n Va\u0306n A\u0300nh";

    // Act
    const normalized = normalizeText(decomposed);

    // Assess
    expect(normalized).toBe("Nguy\u1ec5n V\u0103n \u00c0nh");
  });

  it.each([
    ["Highlands\u0000Coffee", "Highlands Coffee"],
    ["Ph\u00fac\tLong\r\n", "Ph\u00fac Long"],
    ["\u0007GRAB\u001f*HCM\u007f", "GRAB *HCM"],
    ["A\u0085B", "A B"],
    ["\u001b[31mEVN", "[31mEVN"],
  ])("replaces control characters in %j", (text, expected) => {
    // Act
    const normalized = normalizeText(text);

    // Assess
    expect(normalized).toBe(expected);
  });

  it.each([
    ["  B\u00e1ch   H\u00f3a  Xanh  ", "B\u00e1ch H\u00f3a Xanh"],
    ["Vinmart\u00a0+", "Vinmart +"],
    ["CGV\u2003Vincom\u3000Center", "CGV Vincom Center"],
    ["LUONG\n\nTHANG 10", "LUONG THANG 10"],
    ["   ", ""],
    ["", ""],
  ])("folds white space in %j", (text, expected) => {
    // Act
    const normalized = normalizeText(text);

    // Assess
    expect(normalized).toBe(expected);
  });

  it("returns trimmed NFC text without control characters for any input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        // Act
        const normalized = normalizeText(text);

        // Assess
        expect(normalized).toBe(normalized.normalize("NFC"));
        expect(normalized).not.toMatch(/\p{Cc}/u);
        expect(normalized).not.toMatch(/^\s|\s$|\s\s/u);
        expect(normalizeText(normalized)).toBe(normalized);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("foldForMatching", () => {
  it.each([
    ["Ph\u00fac Long", "phuc long"],
    ["Phu\u0301c Long", "phuc long"],
    ["PHUC LONG", "phuc long"],
    ["\u0110\u01af\u1edcNG", "duong"],
    ["\u0111\u01b0\u1eddng Nguy\u1ec5n Hu\u1ec7", "duong nguyen hue"],
    ["B\u00e1ch H\u00f3a Xanh", "bach hoa xanh"],
    ["B\u00c1CH H\u00d3A XANH", "bach hoa xanh"],
    ["GRAB*HCM", "grab hcm"],
    ["McDonald's", "mcdonald s"],
    ["Pizza 4P's", "pizza 4p s"],
    ["  --Co.opmart--  ", "co opmart"],
    ["7-Eleven", "7 eleven"],
    ["EVN HCMC - Ti\u1ec1n \u0111i\u1ec7n", "evn hcmc tien dien"],
    ["", ""],
    ["***", ""],
  ])("folds %j to %j", (text, folded) => {
    // Act
    const actual = foldForMatching(text);

    // Assess
    expect(actual).toBe(folded);
  });

  it("folds Vietnamese text to lower-case ASCII words in either Unicode form", () => {
    fc.assert(
      fc.property(vietnameseText, ({ text, folded }) => {
        // Act
        const actual = foldForMatching(text);

        // Assess
        expect(actual).toBe(folded);
        expect(foldForMatching(actual)).toBe(actual);
      }),
      { numRuns: 1000 },
    );
  });
});
