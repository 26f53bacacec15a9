import { describe, expect, it } from "vitest";
import type { Channel, Direction } from "../../../lambdas/contracts/transaction-posted";
import type { Category } from "../../../lambdas/domain/categories";
import { type CategorizationInput, categorize } from "../../../lambdas/domain/categorize";

/** Builds a debit card payment with no other hints, changed by `fields`. */
function cardPayment(fields: Partial<CategorizationInput> = {}): CategorizationInput {
  return { direction: "debit", channel: "card", ...fields };
}

describe("categorize", () => {
  it.each<[string, Direction, Channel, Category]>([
    ["SALA", "credit", "transfer", "income"],
    ["PENS", "credit", "transfer", "income"],
    ["ELEC", "debit", "bill_payment", "bills_utilities"],
    ["WTER", "debit", "direct_debit", "bills_utilities"],
    ["RENT", "debit", "standing_order", "housing"],
    ["INSU", "debit", "standing_order", "insurance"],
    ["LOAN", "debit", "transfer", "loans"],
    ["TAXS", "debit", "transfer", "government_taxes"],
    ["INTE", "credit", "other", "fees_interest"],
    ["EDUC", "debit", "transfer", "education"],
    ["CASH", "debit", "other", "cash"],
    ["SAVG", "debit", "transfer", "savings_investments"],
  ])("files purpose code %s (%s %s) as %s", (purposeCode, direction, channel, category) => {
    // Act
    const result = categorize({ direction, channel, purposeCode });

    // Assess
    expect(result).toEqual({ category, source: "purpose" });
  });

  it("puts the purpose code before channel, merchant and MCC", () => {
    // Prepare
    const input = cardPayment({
      channel: "atm",
      purposeCode: "SALA",
      merchantName: "Netflix",
      mcc: "4899",
      description: "household",
    });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "income", source: "purpose" });
  });

  it("ignores an unknown purpose code", () => {
    // Prepare
    const input = cardPayment({ purposeCode: "ZZZZ", mcc: "5411" });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "groceries", source: "mcc" });
  });

  it.each<[Channel, Direction, Category]>([
    ["atm", "debit", "cash"],
    ["interest", "credit", "fees_interest"],
    ["interest", "debit", "fees_interest"],
    ["fee", "debit", "fees_interest"],
    ["loan", "debit", "loans"],
  ])("files the %s channel (%s) as %s", (channel, direction, category) => {
    // Prepare
    const input: CategorizationInput = { direction, channel, merchantName: "Highlands Coffee", mcc: "5814" };

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category, source: "channel" });
  });

  it.each<[string, Category]>([
    ["Highlands Coffee", "food_drink"],
    ["HIGHLANDS COFFEE VINCOM", "food_drink"],
    ["Ph\u00fac Long", "food_drink"],
    ["Phu\u0301c Long Coffee & Tea", "food_drink"],
    ["PHUC LONG", "food_drink"],
    ["WinMart", "groceries"],
    ["WINMART+ Q1", "groceries"],
    ["B\u00e1ch H\u00f3a Xanh", "groceries"],
    ["Bach Hoa Xanh", "groceries"],
    ["BACH HOA XANH 1234", "groceries"],
    ["Grab", "transport"],
    ["GRAB*HCM", "transport"],
    ["GrabFood", "food_drink"],
    ["GRABFOOD*HCM", "food_drink"],
    ["Grab Food", "food_drink"],
    ["Vietnam Airlines", "travel"],
    ["VIETNAM AIRLINES JSC", "travel"],
    ["EVN", "bills_utilities"],
    ["EVN HCMC", "bills_utilities"],
    ["T\u1ed5ng c\u00f4ng ty \u0110i\u1ec7n l\u1ef1c", "bills_utilities"],
    ["Pharmacity", "health"],
    ["Nh\u00e0 thu\u1ed1c Long Ch\u00e2u", "health"],
    ["Shopee", "shopping"],
    ["SHOPEE VN", "shopping"],
    ["ShopeeFood", "food_drink"],
    ["ShopeePay", "transfers"],
    ["Netflix", "entertainment"],
    ["NETFLIX.COM", "entertainment"],
  ])("files the merchant %j as %s", (merchantName, category) => {
    // Act
    const result = categorize(cardPayment({ merchantName }));

    // Assess
    expect(result).toEqual({ category, source: "merchant" });
  });

  it.each<[string, string, Category]>([
    ["Netflix", "4899", "entertainment"],
    ["Spotify", "4899", "entertainment"],
    ["Highlands Coffee", "5411", "food_drink"],
    ["Vietnam Airlines", "4511", "travel"],
    ["Pharmacity", "5912", "health"],
  ])("prefers the merchant %j to MCC %s", (merchantName, mcc, category) => {
    // Act
    const result = categorize(cardPayment({ merchantName, mcc }));

    // Assess
    expect(result).toEqual({ category, source: "merchant" });
  });

  it("matches merchant names on whole words only", () => {
    // Prepare
    const input = cardPayment({ merchantName: "Grabber Outdoor Store" });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "shopping", source: "direction" });
  });

  it("matches a biller's name when there is no merchant", () => {
    // Prepare
    const input: CategorizationInput = {
      direction: "debit",
      channel: "bill_payment",
      counterpartyName: "C\u00f4ng ty \u0110i\u1ec7n l\u1ef1c TP.HCM",
    };

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "bills_utilities", source: "merchant" });
  });

  it.each([
    ["LE THI MAI LINH", "transfers"],
    ["NGUYEN KIM ANH", "transfers"],
    ["TRAN AN KHANG", "transfers"],
    ["Nguy\u1ec5n B\u1ea3o Vi\u1ec7t", "transfers"],
  ])("ignores the person's name %s on a transfer", (counterpartyName, category) => {
    expect(categorize({ direction: "debit", channel: "transfer", counterpartyName }).category).toBe(category);
  });

  it.each([
    ["Ti\u1ec1n thu\u00ea xe", "debit", "transport"],
    ["Thu\u00ea v\u0103n ph\u00f2ng th\u00e1ng 11", "debit", "housing"],
    ["N\u1ed9p thu\u1ebf TNCN", "debit", "government_taxes"],
    ["Chuyen tien qua Internet Banking", "debit", "transfers"],
    ["thanh toan so luong 2 san pham", "debit", "shopping"],
    ["tra luong nhan vien thang 11", "debit", "other"],
    ["LUONG THANG 11", "credit", "income"],
  ])("reads the description %s (%s) as %s", (description, direction, category) => {
    const channel = direction === "credit" ? "transfer" : description.includes("san pham") ? "card" : "other";
    const result = categorize({ direction: direction as "debit" | "credit", channel, description });
    expect(result.category).toBe(category);
  });

  it("keeps MCC 5411 for METRO Cash & Carry", () => {
    expect(
      categorize({ direction: "debit", channel: "card", merchantName: "METRO Cash & Carry", mcc: "5411" })
        .category,
    ).toBe("groceries");
  });

  it("prefers the merchant name to the counterparty name", () => {
    // Prepare
    const input = cardPayment({ merchantName: "Highlands Coffee", counterpartyName: "Shopee" });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "food_drink", source: "merchant" });
  });

  it.each<[string, Category]>([
    ["5411", "groceries"],
    ["5499", "groceries"],
    ["5812", "food_drink"],
    ["5814", "food_drink"],
    ["7011", "travel"],
    ["3000", "travel"],
    ["3350", "travel"],
    ["3351", "transport"],
    ["3500", "transport"],
    ["3501", "travel"],
    ["4121", "transport"],
    ["4899", "bills_utilities"],
    ["5541", "transport"],
    ["5912", "health"],
    ["5921", "shopping"],
    ["5999", "shopping"],
    ["6011", "cash"],
    ["6051", "transfers"],
    ["6300", "insurance"],
    ["7832", "entertainment"],
    ["8220", "education"],
    ["9311", "government_taxes"],
  ])("files MCC %s as %s", (mcc, category) => {
    // Act
    const result = categorize(cardPayment({ mcc, merchantName: "Cua hang 123" }));

    // Assess
    expect(result).toEqual({ category, source: "mcc" });
  });

  it("keeps the MCC category for a card refund", () => {
    // Prepare
    const input = cardPayment({ direction: "credit", mcc: "5411" });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "groceries", source: "mcc" });
  });

  it("falls back for an MCC outside every range", () => {
    // Prepare
    const input = cardPayment({ mcc: "0742" });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "shopping", source: "direction" });
  });

  it.each<[string, Direction, Channel, Category]>([
    ["remittance to another bank; household", "debit", "standing_order", "bills_utilities"],
    ["remittance to another bank; insurrance payment", "debit", "standing_order", "insurance"],
    ["insurrance payment", "debit", "other", "insurance"],
    ["remittance to another bank; loan payment", "debit", "standing_order", "loans"],
    ["remittance to another bank", "debit", "transfer", "transfers"],
    ["collection from another bank", "credit", "transfer", "income"],
    ["collection from another bank; old age pension", "credit", "transfer", "income"],
    ["withdrawal in cash; payment for statement", "debit", "cash", "fees_interest"],
    ["withdrawal in cash", "debit", "other", "cash"],
    ["credit in cash", "credit", "other", "cash"],
    ["Thanh to\u00e1n ti\u1ec1n \u0111i\u1ec7n k\u1ef3 10/2026", "debit", "other", "bills_utilities"],
    ["LUONG THANG 10", "credit", "transfer", "income"],
    ["Chuy\u1ec3n kho\u1ea3n ti\u1ec1n thu\u00ea nh\u00e0 th\u00e1ng 11", "debit", "transfer", "housing"],
    ["N\u1ed9p thu\u1ebf TNCN", "debit", "transfer", "government_taxes"],
    ["Tr\u1ea3 g\u00f3p iPhone", "debit", "transfer", "loans"],
    ["H\u1ecdc ph\u00ed HK1", "debit", "transfer", "education"],
    ["G\u1eedi ti\u1ebft ki\u1ec7m", "debit", "transfer", "savings_investments"],
    ["Chuy\u1ec3n ti\u1ec1n cho m\u1eb9", "debit", "transfer", "transfers"],
  ])("files the description %j (%s %s) as %s", (description, direction, channel, category) => {
    // Act
    const result = categorize({ direction, channel, description });

    // Assess
    expect(result).toEqual({ category, source: "keyword" });
  });

  it("matches description keywords on whole words only", () => {
    // Prepare
    const input = cardPayment({ description: "coffee for the current team" });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "shopping", source: "direction" });
  });

  it.each<[Direction, Channel, Category]>([
    ["credit", "transfer", "transfers"],
    ["credit", "card", "transfers"],
    ["credit", "other", "transfers"],
    ["debit", "card", "shopping"],
    ["debit", "transfer", "transfers"],
    ["debit", "qr", "transfers"],
    ["debit", "standing_order", "transfers"],
    ["debit", "bill_payment", "bills_utilities"],
    ["debit", "direct_debit", "bills_utilities"],
    ["debit", "cash", "cash"],
    ["credit", "cash", "cash"],
    ["debit", "other", "other"],
  ])("falls back for a %s %s without hints to %s", (direction, channel, category) => {
    // Act
    const result = categorize({ direction, channel });

    // Assess
    expect(result).toEqual({ category, source: "direction" });
  });

  it("treats empty text as no hint", () => {
    // Prepare
    const input = cardPayment({ merchantName: "", counterpartyName: "***", description: "  " });

    // Act
    const result = categorize(input);

    // Assess
    expect(result).toEqual({ category: "shopping", source: "direction" });
  });
});
