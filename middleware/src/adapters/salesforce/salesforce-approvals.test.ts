import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Connection } from '@jsforce/jsforce-node';
import { createSalesforceApprovals } from './salesforce-approvals.ts';
import { CrmError } from './salesforce-errors.ts';

/** An org whose composite endpoint answers with `subresponses`, as Salesforce does with allOrNone false. */
async function orgAnswering(subresponses: (referenceIds: string[]) => unknown[]) {
  const app = express();
  app.use(express.json());
  app.post('/services/data/v62.0/composite', (req, res) => {
    const body = req.body as { compositeRequest: { referenceId: string }[] };
    res.json({ compositeResponse: subresponses(body.compositeRequest.map((r) => r.referenceId)) });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const conn = new Connection({ instanceUrl: url, accessToken: 'token', version: '62.0' });
  return {
    approvals: createSalesforceApprovals({ conn, apiVersion: '62.0' }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const emptyQuery = { totalSize: 0, done: true, records: [] };

describe('Salesforce approvals adapter', () => {
  it("keeps Salesforce's error code when one query of a composite read fails", async () => {
    const org = await orgAnswering((refs) =>
      refs.map((referenceId) =>
        referenceId === 'approvals'
          ? {
              referenceId,
              httpStatusCode: 400,
              httpHeaders: {},
              body: [
                {
                  errorCode: 'INVALID_FIELD',
                  message: "No such column 'Decided_At__c' on entity 'Deal_Approval__c'.",
                },
              ],
            }
          : { referenceId, httpStatusCode: 200, httpHeaders: {}, body: emptyQuery },
      ),
    );
    try {
      await assert.rejects(
        org.approvals.records(['a0A000000000001AAA']),
        (err: unknown) =>
          err instanceof CrmError &&
          err.errorCode === 'INVALID_FIELD' &&
          err.message ===
            "INVALID_FIELD: approvals: No such column 'Decided_At__c' on entity 'Deal_Approval__c'.",
      );
    } finally {
      await org.close();
    }
  });

  it('names a Deal_Approval__c row it cannot read, under an error code', async () => {
    const org = await orgAnswering((refs) =>
      refs.map((referenceId) => ({
        referenceId,
        httpStatusCode: 200,
        httpHeaders: {},
        body:
          referenceId === 'history'
            ? { totalSize: 1, done: true, records: [{ Id: 'a0A000000000001AAA', Status__c: 'Maybe' }] }
            : emptyQuery,
      })),
    );
    try {
      await assert.rejects(
        org.approvals.planningData([], 10),
        (err: unknown) =>
          err instanceof CrmError &&
          err.errorCode === 'UNEXPECTED_RESPONSE' &&
          /record 0: .*Status__c/.test(err.message),
      );
    } finally {
      await org.close();
    }
  });

  it('still reads the users when the org will not count their work items, and says why', async () => {
    const org = await orgAnswering((refs) =>
      refs.map((referenceId) =>
        referenceId === 'workload'
          ? {
              referenceId,
              httpStatusCode: 400,
              httpHeaders: {},
              body: [{ errorCode: 'MALFORMED_QUERY', message: 'Illegal filter on ProcessInstanceWorkitem' }],
            }
          : { referenceId, httpStatusCode: 200, httpHeaders: {}, body: emptyQuery },
      ),
    );
    try {
      const read = await org.approvals.planningData(['finance@x.example'], 10);
      assert.deepEqual(read.users, []);
      assert.equal(read.workload, undefined);
      assert.match(
        read.workloadError!,
        /MALFORMED_QUERY: workload: Illegal filter on ProcessInstanceWorkitem/,
      );
    } finally {
      await org.close();
    }
  });
});
