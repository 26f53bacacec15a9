/**
 * Normalizes free text from producers: Unicode NFC (Vietnamese arrives both precomposed and with
 * combining marks), control characters removed, runs of white space folded to one space.
 */
export function normalizeText(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

/**
 * Folds text for matching only, never for display: lower case, Vietnamese and other diacritics
 * removed ("Phúc Long" and "PHUC LONG" both become "phuc long"), "đ" mapped to "d", and any
 * punctuation turned into a single space.
 */
export function foldForMatching(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/gu, "d")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
