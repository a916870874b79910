import { describe, expect, it } from "vitest";
import { headerIndex, parseCsvLine, recordOf } from "../../src/tools/eval/csv.ts";
import { customerHalf, PAYSIM, PAYSIM_EPOCH, SPARKOV, type EvalFormat } from "../../src/tools/eval/formats.ts";
import { parseTransaction } from "../../src/transaction/transaction.ts";

function row(format: EvalFormat, header: string, line: string) {
  return recordOf(parseCsvLine(line), headerIndex(header, format.columns));
}

const PAYSIM_HEADER = "step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud";
const SPARKOV_HEADER =
  ",trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud";

describe("PaySim rows", () => {
  it("become transfers from nameOrig to nameDest at the step's hour, with the sender's balances", () => {
    const r = row(PAYSIM, PAYSIM_HEADER, "743,TRANSFER,339682.13,C786484425,339682.13,0.0,C776919290,0.0,0.0,1,0");
    const input = PAYSIM.toTransaction(r, 17);
    expect(input).toEqual({
      transaction_id: "paysim-17",
      user_id: "C786484425",
      amount: 339682.13,
      counterparty_id: "C776919290",
      type: "TRANSFER",
      balance_before: 339682.13,
      balance_after: 0,
      timestamp: new Date(PAYSIM_EPOCH + 743 * 3_600_000).toISOString(),
    });
    expect(PAYSIM.isFraud(r)).toBe(true);
    expect(parseTransaction(input, { now: new Date(input.timestamp!) }).ok).toBe(true);
  });

  it("send payments to merchants (names starting with M) as merchant_id", () => {
    const r = row(PAYSIM, PAYSIM_HEADER, "1,PAYMENT,9839.64,C1231006815,170136.0,160296.36,M1979787155,0.0,0.0,0,0");
    expect(PAYSIM.toTransaction(r, 1)).toMatchObject({ merchant_id: "M1979787155", type: "PAYMENT" });
    expect(PAYSIM.toTransaction(r, 1)).not.toHaveProperty("counterparty_id");
    expect(PAYSIM.isFraud(r)).toBe(false);
  });

  it("keep an amount of 0 as it is, for the schema to refuse (PaySim has a few)", () => {
    const input = PAYSIM.toTransaction(row(PAYSIM, PAYSIM_HEADER, "5,CASH_OUT,0.0,C1,0.0,0.0,C2,0.0,0.0,1,0"), 2);
    const parsed = parseTransaction(input, { now: new Date(input.timestamp!) });
    expect(parsed.ok ? [] : Object.keys(parsed.fields)).toEqual(["amount"]);
  });
});

describe("Sparkov rows", () => {
  const line =
    '0,2019-01-01 00:00:18,2703186189652095,"fraud_Rippin, Kub and Mann",misc_net,4.97,Jennifer,Banks,F,561 Perry Cove,Moravian Falls,NC,28654,36.0788,-81.1781,3495,"Psychologist, counselling",1988-03-09,0b242abb623afc578575680df30655b9,1325376018,36.011293,-82.048315,0';

  it("become card payments by cc_num at the merchant's point, at unix_time, without the generator's 'fraud_' prefix", () => {
    const r = row(SPARKOV, SPARKOV_HEADER, line);
    const input = SPARKOV.toTransaction(r, 1);
    expect(input).toEqual({
      transaction_id: "0b242abb623afc578575680df30655b9",
      user_id: "2703186189652095",
      amount: 4.97,
      merchant_id: "Rippin, Kub and Mann",
      merchant_category: "misc_net",
      type: "PAYMENT",
      latitude: 36.011293,
      longitude: -82.048315,
      timestamp: "2012-01-01T00:00:18.000Z",
    });
    expect(SPARKOV.isFraud(r)).toBe(false);
    expect(SPARKOV.customerOf(r)).toBe("2703186189652095");
    expect(parseTransaction(input, { now: new Date(input.timestamp!) }).ok).toBe(true);
  });
});

describe("the customer split", () => {
  it("puts each customer always on the same side, and about half the customers on each", () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `C${1_000_000 + i * 7919}`);
    const a = ids.filter((id) => customerHalf(id) === "A").length;
    expect(a / ids.length).toBeGreaterThan(0.45);
    expect(a / ids.length).toBeLessThan(0.55);
    expect(ids.map(customerHalf)).toEqual(ids.map(customerHalf));
  });
});

describe("rows with a broken time", () => {
  it("are refused by the schema (and reported as skipped), not a crash", () => {
    const input = PAYSIM.toTransaction(row(PAYSIM, PAYSIM_HEADER, ",TRANSFER,10.0,C1,10.0,0.0,C2,0.0,0.0,0,0"), 3);
    const parsed = parseTransaction(input);
    expect(parsed.ok ? [] : Object.keys(parsed.fields)).toEqual(["timestamp"]);
  });
});
