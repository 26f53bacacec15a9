import type { Channel, Direction } from "../contracts/transaction-posted";
import type { Category } from "./categories";
import { foldForMatching } from "./text";

/** What the categorizer reads from a transaction; text is expected in NFC already. */
export interface CategorizationInput {
  readonly direction: Direction;
  readonly channel: Channel;
  readonly purposeCode?: string | undefined;
  readonly mcc?: string | undefined;
  readonly merchantName?: string | undefined;
  readonly counterpartyName?: string | undefined;
  readonly description?: string | undefined;
}

/** Which rule decided, so an insight or a support agent can explain a category. */
export type CategorySource = "purpose" | "channel" | "mcc" | "merchant" | "keyword" | "direction";

export interface Categorization {
  readonly category: Category;
  readonly source: CategorySource;
}

/** ISO 20022 ExternalPurpose1Code values that fix the category whatever the other fields say. */
const PURPOSE_CODES: Readonly<Record<string, Category>> = {
  SALA: "income",
  PAYR: "income",
  PENS: "income",
  BONU: "income",
  BENE: "income",
  ALLW: "income",
  DIVD: "savings_investments",
  INTE: "fees_interest",
  FEES: "fees_interest",
  SERV: "fees_interest",
  FCPM: "fees_interest",
  ELEC: "bills_utilities",
  GASB: "bills_utilities",
  WTER: "bills_utilities",
  UBIL: "bills_utilities",
  PHON: "bills_utilities",
  CBTV: "bills_utilities",
  NWCH: "bills_utilities",
  NWCM: "bills_utilities",
  OTLC: "bills_utilities",
  ENRG: "bills_utilities",
  RENT: "housing",
  BLDM: "housing",
  INSU: "insurance",
  LIFI: "insurance",
  HLTI: "insurance",
  INPC: "insurance",
  PPTI: "insurance",
  GOVI: "insurance",
  LOAN: "loans",
  LOAR: "loans",
  HLRP: "loans",
  CLPR: "loans",
  IHRP: "loans",
  INSM: "loans",
  CCRD: "loans",
  CDBL: "loans",
  REOD: "loans",
  EDUC: "education",
  STDY: "education",
  MDCS: "health",
  HSPC: "health",
  DNTS: "health",
  TAXS: "government_taxes",
  VATX: "government_taxes",
  INTX: "government_taxes",
  NITX: "government_taxes",
  PTXP: "government_taxes",
  RDTX: "government_taxes",
  GOVT: "government_taxes",
  SAVG: "savings_investments",
  INVS: "savings_investments",
  SECU: "savings_investments",
  PEFC: "savings_investments",
  CASH: "cash",
  CDCD: "cash",
  INTP: "transfers",
  ACCT: "transfers",
  MP2P: "transfers",
  GIFT: "transfers",
  AIRB: "travel",
  RLWY: "transport",
  BUSB: "transport",
  FERB: "transport",
  TRPT: "transport",
  CPKC: "transport",
};

/** Channels that decide the category on their own. */
const CHANNEL_CATEGORIES: Partial<Readonly<Record<Channel, Category>>> = {
  interest: "fees_interest",
  fee: "fees_interest",
  atm: "cash",
  loan: "loans",
};

/** ISO 18245 merchant category code ranges, checked in order; the first range that contains the code wins. */
const MCC_RANGES: ReadonlyArray<readonly [from: number, to: number, category: Category]> = [
  [3000, 3350, "travel"], // airlines by name
  [3351, 3500, "transport"], // car rental by name
  [3501, 3999, "travel"], // hotels and resorts by name
  [4011, 4011, "transport"],
  [4111, 4131, "transport"], // commuter transport, taxis, buses
  [4214, 4215, "shopping"], // couriers
  [4411, 4411, "travel"], // cruise lines
  [4457, 4468, "transport"], // boats, marinas
  [4511, 4582, "travel"], // airlines, airports
  [4722, 4723, "travel"], // travel agencies
  [4784, 4789, "transport"], // tolls, transport services
  [4812, 4816, "bills_utilities"], // telecom, internet
  [4821, 4829, "transfers"], // money orders, wires
  [4899, 4900, "bills_utilities"], // cable TV, utilities
  [5094, 5094, "shopping"],
  [5200, 5299, "shopping"], // home supplies
  [5300, 5310, "shopping"], // wholesale clubs, discount stores
  [5311, 5311, "shopping"], // department stores
  [5331, 5331, "shopping"],
  [5399, 5399, "shopping"],
  [5411, 5411, "groceries"],
  [5422, 5499, "groceries"], // butchers, bakeries, convenience stores
  [5511, 5599, "transport"], // vehicles, service stations
  [5600, 5699, "shopping"], // clothing
  [5700, 5799, "shopping"], // furniture, electronics
  [5811, 5814, "food_drink"], // caterers, restaurants, bars, fast food
  [5912, 5912, "health"], // pharmacies
  [5940, 5949, "shopping"],
  [5960, 5969, "shopping"], // direct marketing
  [5970, 5999, "shopping"],
  [5900, 5939, "shopping"],
  [5950, 5959, "shopping"],
  [6010, 6011, "cash"],
  [6012, 6012, "transfers"],
  [6050, 6051, "transfers"], // quasi-cash, e-wallet top-ups
  [6211, 6211, "savings_investments"],
  [6300, 6399, "insurance"],
  [6513, 6513, "housing"], // property managers and rent
  [7011, 7012, "travel"], // lodging, timeshares
  [7032, 7033, "travel"], // camps
  [7210, 7299, "shopping"], // personal services
  [7511, 7549, "transport"], // parking, car services
  [7800, 7801, "entertainment"], // lotteries
  [7829, 7833, "entertainment"], // film, cinemas
  [7841, 7841, "entertainment"],
  [7911, 7999, "entertainment"], // recreation, streaming and games under 7994, 7999
  [8011, 8099, "health"],
  [8211, 8299, "education"],
  [8398, 8398, "transfers"], // charities
  [9211, 9402, "government_taxes"],
];

/**
 * Merchant and payee names, folded for matching (no diacritics, lower case). A pattern matches whole
 * words, so "grab" matches "GRAB*HCM" but not "grabber". More specific patterns come first.
 */
const MERCHANT_PATTERNS: ReadonlyArray<readonly [pattern: string, category: Category, only?: Direction]> = [
  // Food and drink before the platforms that also deliver food.
  ["grabfood", "food_drink"],
  ["grab food", "food_drink"],
  ["shopeefood", "food_drink"],
  ["shopee food", "food_drink"],
  ["baemin", "food_drink"],
  ["highlands coffee", "food_drink"],
  ["highlands", "food_drink"],
  ["phuc long", "food_drink"],
  ["the coffee house", "food_drink"],
  ["trung nguyen", "food_drink"],
  ["cong ca phe", "food_drink"],
  ["katinat", "food_drink"],
  ["starbucks", "food_drink"],
  ["pho 24", "food_drink"],
  ["com tam", "food_drink"],
  ["banh mi", "food_drink"],
  ["ca phe", "food_drink"],
  ["nha hang", "food_drink"],
  ["quan an", "food_drink"],
  ["kfc", "food_drink"],
  ["lotteria", "food_drink"],
  ["jollibee", "food_drink"],
  ["mcdonald s", "food_drink"],
  ["pizza hut", "food_drink"],
  ["pizza 4p s", "food_drink"],
  ["gong cha", "food_drink"],
  ["tocotoco", "food_drink"],
  ["uber eats", "food_drink"],
  ["doordash", "food_drink"],
  ["postmates", "food_drink"],
  ["domino s", "food_drink"],
  ["dominos", "food_drink"],
  ["papa john s", "food_drink"],
  ["burger king", "food_drink"],
  ["wendys", "food_drink"],
  ["denny s", "food_drink"],
  ["texas roadhouse", "food_drink"],
  ["jimmy john s", "food_drink"],
  // Groceries and convenience stores.
  ["winmart", "groceries"],
  ["vinmart", "groceries"],
  ["co opmart", "groceries"],
  ["coopmart", "groceries"],
  ["co op food", "groceries"],
  ["bach hoa xanh", "groceries"],
  ["big c", "groceries"],
  ["go mart", "groceries"],
  ["lotte mart", "groceries"],
  ["aeon", "groceries"],
  ["mm mega market", "groceries"],
  ["emart", "groceries"],
  ["circle k", "groceries"],
  ["7 eleven", "groceries"],
  ["familymart", "groceries"],
  ["ministop", "groceries"],
  ["gs25", "groceries"],
  ["sieu thi", "groceries"],
  ["wal mart", "groceries"],
  ["walmart", "groceries"],
  ["sams club", "groceries"],
  ["sam s club", "groceries"],
  ["food lion", "groceries"],
  ["frys food", "groceries"],
  ["wawa", "groceries"],
  // Transport.
  ["grab", "transport"],
  ["be group", "transport"],
  ["xanh sm", "transport"],
  ["gojek", "transport"],
  ["mai linh", "transport"],
  ["vinasun", "transport"],
  ["petrolimex", "transport"],
  ["pvoil", "transport"],
  ["vetc", "transport"],
  ["epass", "transport"],
  ["xang dau", "transport"],
  ["uber", "transport"],
  ["lyft", "transport"],
  ["shell", "transport"],
  ["sunoco", "transport"],
  ["arco", "transport"],
  // Travel.
  ["vietnam airlines", "travel"],
  ["vietjet", "travel"],
  ["bamboo airways", "travel"],
  ["vietravel", "travel"],
  ["united airlines", "travel"],
  ["traveloka", "travel"],
  ["agoda", "travel"],
  ["booking com", "travel"],
  ["airbnb", "travel"],
  ["klook", "travel"],
  ["khach san", "travel"],
  ["hotel", "travel"],
  ["resort", "travel"],
  // Bills and utilities.
  ["evn", "bills_utilities"],
  ["dien luc", "bills_utilities"],
  ["tien dien", "bills_utilities"],
  ["sawaco", "bills_utilities"],
  ["cap nuoc", "bills_utilities"],
  ["tien nuoc", "bills_utilities"],
  ["vnpt", "bills_utilities"],
  ["viettel", "bills_utilities"],
  ["mobifone", "bills_utilities"],
  ["vinaphone", "bills_utilities"],
  ["fpt telecom", "bills_utilities"],
  // Entertainment, before shopping platforms.
  ["netflix", "entertainment"],
  ["spotify", "entertainment"],
  ["youtube premium", "entertainment"],
  ["fpt play", "entertainment"],
  ["vieon", "entertainment"],
  ["cgv", "entertainment"],
  ["lotte cinema", "entertainment"],
  ["galaxy cinema", "entertainment"],
  ["bhd star", "entertainment"],
  ["steam", "entertainment"],
  ["playstation", "entertainment"],
  ["hulu", "entertainment"],
  ["itunes", "entertainment"],
  ["xbox", "entertainment"],
  ["nintendo", "entertainment"],
  ["blizzard", "entertainment"],
  ["cinemark", "entertainment"],
  ["fandango", "entertainment"],
  // Health.
  ["pharmacity", "health"],
  ["long chau", "health"],
  ["an khang", "health"],
  ["nha thuoc", "health"],
  ["vinmec", "health"],
  ["benh vien", "health"],
  ["phong kham", "health"],
  ["hospital", "health"],
  // Education.
  ["hoc phi", "education"],
  ["dai hoc", "education"],
  ["truong hoc", "education"],
  ["truong mam non", "education"],
  ["ila", "education"],
  ["apollo english", "education"],
  ["fahasa", "education"],
  ["chegg", "education"],
  // Insurance.
  ["bao viet", "insurance"],
  ["prudential", "insurance"],
  ["manulife", "insurance"],
  ["aia", "insurance"],
  ["dai ichi", "insurance"],
  ["fwd", "insurance"],
  ["bao hiem", "insurance"],
  // Shopping.
  ["shopee", "shopping"],
  ["lazada", "shopping"],
  ["tiki", "shopping"],
  ["tiktok shop", "shopping"],
  ["the gioi di dong", "shopping"],
  ["dien may xanh", "shopping"],
  ["fpt shop", "shopping"],
  ["cellphones", "shopping"],
  ["nguyen kim", "shopping"],
  ["uniqlo", "shopping"],
  ["apple com", "shopping"],
  ["amazon", "shopping"],
  ["ikea", "shopping"],
  ["amzn", "shopping"],
  ["home depot", "shopping"],
  ["lowes", "shopping"],
  // Wallet top-ups are transfers to the customer's own wallet.
  ["momo", "transfers"],
  ["zalopay", "transfers"],
  ["vnpay", "transfers"],
  ["shopeepay", "transfers"],
];

/**
 * Keywords in descriptions, in Vietnamese (folded), English, and the transaction codes of the Berka
 * data set from a Czech bank: its English `k_symbol` and `operation` texts and the original Czech
 * codes (SIPO household payments, UVER loans, POJISTNE insurance, SLUZBY fees, UROK interest,
 * SANKC. UROK penalty interest, DUCHOD pensions).
 */
const DESCRIPTION_KEYWORDS: ReadonlyArray<readonly [keyword: string, category: Category, only?: Direction]> =
  [
    ["sanction interest", "fees_interest"],
    ["sankc urok", "fees_interest"],
    ["interest credited", "fees_interest"],
    ["intrst", "fees_interest"],
    ["urok", "fees_interest"],
    ["lai tien gui", "fees_interest"],
    ["payment for statement", "fees_interest"],
    ["sluzby", "fees_interest"],
    ["phi giao dich", "fees_interest"],
    ["phi dich vu", "fees_interest"],
    ["phi thuong nien", "fees_interest"],
    ["phi quan ly tai khoan", "fees_interest"],
    ["phi sms", "fees_interest"],
    ["fee", "fees_interest"],
    // Before "internet": "chuyen tien qua internet banking" is a transfer, not a bill.
    ["internet banking", "transfers"],
    ["mobile banking", "transfers"],
    ["household", "bills_utilities"],
    ["sipo", "bills_utilities"],
    ["hoa don", "bills_utilities"],
    ["tien dien", "bills_utilities"],
    ["tien nuoc", "bills_utilities"],
    ["cuoc dien thoai", "bills_utilities"],
    ["cuoc di dong", "bills_utilities"],
    ["cuoc internet", "bills_utilities"],
    ["internet", "bills_utilities"],
    ["insurrance payment", "insurance"],
    ["insurance payment", "insurance"],
    ["pojistne", "insurance"],
    ["bao hiem", "insurance"],
    ["insurance", "insurance"],
    ["loan payment", "loans"],
    ["loan repayment", "loans"],
    ["mortgage", "loans"],
    ["credit card payment", "loans"],
    ["autopay", "loans"],
    ["automatic payment", "loans"],
    ["uver", "loans"],
    ["leasing", "loans"],
    ["tra gop", "loans"],
    ["khoan vay", "loans"],
    ["tra no", "loans"],
    // Income words count only on credits: "tra luong nhan vien" (paying wages) is money out.
    ["old age pension", "income", "credit"],
    ["duchod", "income", "credit"],
    ["tien luong", "income", "credit"],
    ["luong thang", "income", "credit"],
    ["salary", "income", "credit"],
    ["payroll", "income", "credit"],
    ["paycheck", "income", "credit"],
    ["direct dep", "income", "credit"],
    ["tien thuong", "income", "credit"],
    ["pension", "income", "credit"],
    ["collection from another bank", "income", "credit"],
    // "thue" folds both "thuê" (rent) and "thuế" (tax), so only unambiguous phrases are listed.
    ["tien nha", "housing"],
    ["tien thue nha", "housing"],
    ["thue nha", "housing"],
    ["thue can ho", "housing"],
    ["thue van phong", "housing"],
    ["rent", "housing"],
    ["thue xe", "transport"],
    ["hoc phi", "education"],
    ["tuition", "education"],
    ["nop thue", "government_taxes"],
    ["thue tncn", "government_taxes"],
    ["thue thu nhap", "government_taxes"],
    ["thue gtgt", "government_taxes"],
    ["le phi truoc ba", "government_taxes"],
    ["tax", "government_taxes"],
    ["tiet kiem", "savings_investments"],
    ["savings", "savings_investments"],
    ["credit in cash", "cash"],
    ["withdrawal in cash", "cash"],
    ["rut tien", "cash"],
    ["nop tien", "cash"],
    ["chuyen tien", "transfers"],
    ["chuyen khoan", "transfers"],
    ["remittance to another bank", "transfers"],
  ];

type WordMatcher = readonly [pattern: RegExp, category: Category, only: Direction | undefined];

function compileWordPatterns(
  entries: ReadonlyArray<readonly [string, Category, Direction?]>,
): ReadonlyArray<WordMatcher> {
  return entries.map(
    ([words, category, only]) => [new RegExp(`(?:^| )${words}(?: |$)`), category, only] as const,
  );
}

const MERCHANT_MATCHERS = compileWordPatterns(MERCHANT_PATTERNS);
const KEYWORD_MATCHERS = compileWordPatterns(DESCRIPTION_KEYWORDS);

function matchWords(
  text: string | undefined,
  matchers: ReadonlyArray<WordMatcher>,
  direction: Direction,
): Category | undefined {
  if (!text) return undefined;
  const folded = foldForMatching(text);
  if (!folded) return undefined;
  for (const [pattern, category, only] of matchers) {
    if ((only === undefined || only === direction) && pattern.test(folded)) return category;
  }
  return undefined;
}

/**
 * Channels whose counterparty is a biller, so its name says what the payment is for. The name of a
 * person paid by transfer is not matched: "Nguyễn Bảo Việt" is not an insurer, nor "Lê Thị Mai Linh"
 * a taxi company.
 */
const BILLER_CHANNELS: ReadonlySet<Channel> = new Set(["bill_payment", "direct_debit", "loan"]);

function categoryFromMcc(mcc: string | undefined): Category | undefined {
  if (!mcc) return undefined;
  const code = Number(mcc);
  for (const [from, to, category] of MCC_RANGES) {
    if (code >= from && code <= to) return category;
  }
  return undefined;
}

/**
 * Assigns one category, trying in order: the ISO 20022 purpose code, channels that decide alone
 * (interest, fees, ATM, loans), a known merchant or counterparty name (more specific than the MCC:
 * Netflix files under MCC 4899 with cable TV), the MCC, description keywords, and finally the
 * direction and channel. A refund keeps the category of what was bought when the MCC or
 * merchant shows it; any other credit that no rule recognizes counts as a transfer, not as income.
 */
export function categorize(input: CategorizationInput): Categorization {
  const byPurpose = input.purposeCode ? PURPOSE_CODES[input.purposeCode] : undefined;
  if (byPurpose) return { category: byPurpose, source: "purpose" };

  const byChannel = CHANNEL_CATEGORIES[input.channel];
  if (byChannel) return { category: byChannel, source: "channel" };

  const byMerchant =
    matchWords(input.merchantName, MERCHANT_MATCHERS, input.direction) ??
    (BILLER_CHANNELS.has(input.channel)
      ? matchWords(input.counterpartyName, MERCHANT_MATCHERS, input.direction)
      : undefined);
  if (byMerchant) return { category: byMerchant, source: "merchant" };

  const byMcc = categoryFromMcc(input.mcc);
  if (byMcc) return { category: byMcc, source: "mcc" };

  const byKeyword = matchWords(input.description, KEYWORD_MATCHERS, input.direction);
  if (byKeyword) return { category: byKeyword, source: "keyword" };

  return { category: fallbackCategory(input), source: "direction" };
}

function fallbackCategory(input: CategorizationInput): Category {
  if (input.channel === "cash") return "cash";
  if (input.direction === "credit") return "transfers";
  switch (input.channel) {
    case "transfer":
    case "qr":
    case "standing_order":
      return "transfers";
    case "bill_payment":
    case "direct_debit":
      return "bills_utilities";
    case "card":
      return "shopping";
    default:
      return "other";
  }
}
