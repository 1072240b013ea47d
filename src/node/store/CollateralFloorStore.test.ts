import { describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../../test/support/databases.ts";
import type { CollateralStamp } from "../../pki/freshness/collateralStamp.ts";
import { CollateralFloorStore } from "./CollateralFloorStore.ts";

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const KEY = "tcbInfo:SGX:00906ed50000";
const tcb = (number: number, issued: string): CollateralStamp => ({
  document: "tcbInfo",
  key: KEY,
  issued: d(issued),
  number,
  nextUpdate: d("2025-07-01"),
  digest: `${number}-${issued}`,
});
const crl = (number: number, issued: string): CollateralStamp => ({
  document: "crl",
  key: "crl:CN=CA#00",
  issued: d(issued),
  number,
  digest: `crl-${number}`,
});

describe.each(TEST_DATABASES)("CollateralFloorStore on $name", (database) => {
  it("moves only forward, remembers the previous evaluation, and survives a restart", async () => {
    const { db, drop } = await database.open();
    const floor = await CollateralFloorStore.open(db);
    expect(await floor.advance([tcb(17, "2025-05-15"), crl(3, "2025-05-20")])).toHaveLength(2);
    expect(await floor.advance([tcb(17, "2025-05-10"), crl(2, "2025-05-20")])).toEqual([]);
    expect(floor.newest(KEY)?.issued).toEqual(d("2025-05-15"));
    expect(await floor.advance([tcb(18, "2025-05-28")])).toHaveLength(1);
    // A later issue of evaluation 17 still raises the previous evaluation's entry, not the newest.
    await floor.advance([tcb(17, "2025-05-29")]);

    const reopened = await CollateralFloorStore.open(db);
    expect(reopened.newest(KEY)).toEqual(tcb(18, "2025-05-28"));
    expect(reopened.newest("crl:CN=CA#00")?.number).toBe(3);
    // Within a workload's TCB recovery grace period the previous evaluation is the floor; after it, the newest.
    expect(reopened.floorFor(7 * 86_400, d("2025-06-01")).get(KEY)).toEqual(tcb(17, "2025-05-29"));
    expect(reopened.floorFor(86_400, d("2025-06-01")).get(KEY)).toEqual(tcb(18, "2025-05-28"));
    expect(reopened.floor().get(KEY)?.number).toBe(18);
    await drop();
  });

  it("keeps the previous evaluation of a QE Identity too, and never of a CRL", async () => {
    const { db, drop } = await database.open();
    const floor = await CollateralFloorStore.open(db);
    const qe = (number: number, issued: string): CollateralStamp => ({
      document: "qeIdentity",
      key: "qeIdentity:QE",
      issued: d(issued),
      number,
      digest: `qe-${number}`,
    });
    await floor.advance([qe(17, "2025-05-15"), qe(18, "2025-05-28"), crl(3, "2025-05-20"), crl(4, "2025-05-28")]);
    const inGrace = floor.floorFor(7 * 86_400, d("2025-06-01"));
    expect(inGrace.get("qeIdentity:QE")?.number).toBe(17);
    expect(inGrace.get("crl:CN=CA#00")?.number).toBe(4);
    await drop();
  });

  it("keeps the newest when advances race", async () => {
    const { db, drop } = await database.open();
    const floor = await CollateralFloorStore.open(db);
    await Promise.all([
      floor.advance([crl(4, "2025-05-25")]),
      floor.advance([crl(3, "2025-05-20")]),
      floor.advance([crl(5, "2025-05-30")]),
    ]);
    expect(floor.newest("crl:CN=CA#00")?.number).toBe(5);
    expect((await CollateralFloorStore.open(db)).newest("crl:CN=CA#00")?.number).toBe(5);
    await drop();
  });
});
