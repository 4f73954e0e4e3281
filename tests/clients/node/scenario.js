#!/usr/bin/env node
// One job's whole life through the npm package `soap`, built from the WSDL a served ips-fake
// (started with a manual clock) serves.
//
// Usage: node scenario.js WSDL_URL COMPANY_HANDLE USER PASSWORD JOB_NAME EXPECTED_JOB_HANDLE
//
// Every step checks what it got back and prints one line "<step>: ok ..."; the first mismatch
// prints "FAILED <step>: ..." on stderr and exits 1. The answers are read as `soap` decodes
// them through the WSDL's schema, never as raw XML: xsd:int must arrive as a number,
// xsd:boolean as a boolean, xsd:dateTime as a Date.
'use strict';

const soap = require('soap');

class Mismatch extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new Mismatch(message);
  }
}

const show = (value) => JSON.stringify(value);

function step(name, details = '') {
  console.log(`${name}: ok${details ? ' ' + details : ''}`);
}

/** The element names the WSDL's schema declares: each API version has its own elements
 * (pre-4.0 has no taskProgressArray, no originalJobName), and an answer must carry exactly
 * the ones its version declares. */
async function declaredElements(wsdlUrl) {
  const response = await fetch(wsdlUrl, { signal: AbortSignal.timeout(10000) });
  check(response.status === 200, `GET ${wsdlUrl}: ${response.status}`);
  const text = await response.text();
  return new Set([...text.matchAll(/<(?:\w+:)?element\s+name="([^"]+)"/g)].map((m) => m[1]));
}

/** The fake's admin clock: read it, or move it on by `advance` seconds; returns its "now". */
async function adminClock(wsdlUrl, advance) {
  const url = new URL('/_fake/clock', wsdlUrl).href;
  const init = { signal: AbortSignal.timeout(10000) };
  if (advance !== undefined) {
    init.method = 'POST';
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify({ advance });
  }
  const response = await fetch(url, init);
  const body = await response.text();
  const method = init.method || 'GET';
  check(response.status === 200, `${method} ${url}: ${response.status} ${body}`);
  const clock = JSON.parse(body);
  check(clock.movable === true, "the fake's clock cannot be moved: start it with --clock manual");
  return clock.now;
}

/** A value of an xsd:int, xsd:boolean or xsd:dateTime element, checked to be decoded as that
 * type (number, boolean, Date). */
function decoded(value, xsdType, where) {
  const isDecoded = {
    int: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
    dateTime: (v) => v instanceof Date,
  }[xsdType];
  check(isDecoded(value), `${where}: ${show(value)} not decoded as xsd:${xsdType}`);
  return value;
}

/** A jobArray or jobLogArray's items as a list (none when the array is empty). */
function items(array) {
  if (array === null || array === undefined || array.items === undefined) {
    return [];
  }
  return Array.isArray(array.items) ? array.items : [array.items];
}

/** The namespace of the element the WSDL's authHeader message part names. */
function authHeaderNamespace(client) {
  const definitions = client.wsdl.definitions;
  const message = definitions.messages.authHeader;
  check(message !== undefined, 'the WSDL declares no authHeader message');
  const part = message.children.find((child) => child.$name === 'authHeader');
  check(part !== undefined && part.$element, 'the authHeader message has no authHeader part');
  const [prefix, local] = part.$element.split(':');
  check(local === 'authHeader', `the authHeader part names element ${part.$element}`);
  const namespace = definitions.xmlns[prefix];
  check(typeof namespace === 'string', `the WSDL does not bind the prefix ${prefix}`);
  return namespace;
}

async function run(argv) {
  if (argv.length !== 6) {
    console.error(
      'usage: node scenario.js WSDL_URL COMPANY_HANDLE USER PASSWORD JOB_NAME EXPECTED_JOB_HANDLE',
    );
    process.exit(2);
  }
  const [wsdlUrl, company, user, password, jobName, expectedHandle] = argv;

  const client = await soap.createClientAsync(wsdlUrl, { timeout: 10000 });
  client.addSoapHeader(
    { authHeader: { user, password } },
    '',
    'ips',
    authHeaderNamespace(client),
  );
  const call = async (operation, param) => (await client[operation + 'Async'](param))[0];
  const declared = await declaredElements(wsdlUrl);

  const execTime = new Date(Date.parse(await adminClock(wsdlUrl)) + 24 * 3600 * 1000);

  // submitJob: one image-serving publish, to run tomorrow.
  const submitted = await call('submitJob', {
    companyHandle: company,
    jobName,
    execTime: execTime.toISOString(),
    imageServingPublishJob: { publishType: 'Full', emailSetting: 'None' },
  });
  check(
    submitted.jobHandle === expectedHandle,
    `submitJob: expected jobHandle ${show(expectedHandle)}, got ${show(submitted.jobHandle)}`,
  );
  const handle = submitted.jobHandle;
  step('submitJob', `jobHandle=${handle}`);

  // getScheduledJobs: the job is there, waiting for its time.
  const scheduled = items((await call('getScheduledJobs', { companyHandle: company })).jobArray);
  const found = scheduled.filter((job) => job.jobHandle === handle);
  check(found.length === 1, `getScheduledJobs: ${handle} not among ${scheduled.length} jobs`);
  const job = found[0];
  check(job.originalName === jobName, `getScheduledJobs: originalName ${show(job.originalName)}`);
  check(job.type === 'ImageServingPublish', `getScheduledJobs: type ${show(job.type)}`);
  check(job.triggerState === 'Normal', `getScheduledJobs: triggerState ${show(job.triggerState)}`);
  const nextFireTime = decoded(job.nextFireTime, 'dateTime', 'getScheduledJobs: nextFireTime');
  check(
    nextFireTime.getTime() === execTime.getTime(),
    `getScheduledJobs: nextFireTime ${show(job.nextFireTime)}, submitted ${execTime.toISOString()}`,
  );
  check(
    job.imageServingPublishJob.publishType === 'Full',
    `getScheduledJobs: payload ${show(job.imageServingPublishJob)}`,
  );
  step('getScheduledJobs', `found=${handle} triggerState=${job.triggerState}`);

  // executeJob: run it now, regardless of its schedule.
  await call('executeJob', { companyHandle: company, jobHandle: handle });
  step('executeJob');

  step('advance', `now=${await adminClock(wsdlUrl, 2)}`);

  // getActiveJobs: the run is working.
  const active = items((await call('getActiveJobs', { companyHandle: company })).jobArray);
  const runs = active.filter((each) => each.originalName === jobName);
  check(runs.length === 1, `getActiveJobs: expected one run of ${jobName}, got ${runs.length}`);
  const run = runs[0];
  const runHandle = run.jobHandle;
  check(runHandle !== handle, `getActiveJobs: the run has the job's own handle ${runHandle}`);
  check(run.state === 'Running', `getActiveJobs: state ${show(run.state)}`);
  const progress = decoded(run.progress, 'int', 'getActiveJobs: progress');
  check(progress > 0 && progress < 100, `getActiveJobs: progress ${progress}`);
  decoded(run.startDate, 'dateTime', 'getActiveJobs: startDate');
  if (declared.has('taskProgressArray')) {
    const tasks = items(run.taskProgressArray);
    check(tasks.length === 1, `getActiveJobs: taskProgressArray ${show(tasks)}`);
    decoded(tasks[0].numPending, 'int', 'getActiveJobs: taskProgressArray numPending');
  } else {
    check(!('taskProgressArray' in run), 'getActiveJobs: taskProgressArray in a version without it');
  }
  step('getActiveJobs', `runHandle=${runHandle} state=${run.state} progress=${progress}`);

  for (const operation of ['pauseJob', 'resumeJob', 'stopJob']) {
    await call(operation, { companyHandle: company, jobHandle: runHandle });
    step(operation, `jobHandle=${runHandle}`);
  }

  // deleteJob: the scheduled job goes away for good.
  await call('deleteJob', { companyHandle: company, jobHandle: handle });
  const left = items((await call('getScheduledJobs', { companyHandle: company })).jobArray);
  check(
    !left.some((each) => each.jobHandle === handle),
    `deleteJob: getScheduledJobs still lists ${handle}`,
  );
  step('deleteJob', `jobHandle=${handle}`);

  step('advance', `now=${await adminClock(wsdlUrl, 5)}`);

  // getJobLogs: the stopped run has finished and left its log.
  const logs = items((await call('getJobLogs', { companyHandle: company })).jobLogArray);
  const mine = logs.filter((each) => each.jobHandle === runHandle);
  check(mine.length === 1, `getJobLogs: expected one log of ${runHandle}, got ${mine.length}`);
  const log = mine[0];
  check(log.jobName.startsWith(`${jobName}_`), `getJobLogs: jobName ${show(log.jobName)}`);
  if (declared.has('originalJobName')) {
    check(log.originalJobName === jobName, `getJobLogs: originalJobName ${show(log.originalJobName)}`);
  } else {
    check(!('originalJobName' in log), 'getJobLogs: originalJobName in a version without it');
  }
  check(log.logType === 'EndImageServingPublish', `getJobLogs: logType ${show(log.logType)}`);
  const fatalError = decoded(log.fatalError, 'boolean', 'getJobLogs: fatalError');
  check(fatalError === false, `getJobLogs: fatalError ${show(log.fatalError)}`);
  const total = decoded(log.totalFileCount, 'int', 'getJobLogs: totalFileCount');
  check(total === 3, `getJobLogs: totalFileCount ${show(log.totalFileCount)}`);
  const successes = decoded(log.fileSuccessCount, 'int', 'getJobLogs: fileSuccessCount');
  const stillActive = items((await call('getActiveJobs', { companyHandle: company })).jobArray);
  check(
    !stillActive.some((each) => each.jobHandle === runHandle),
    'getJobLogs: the run is still active',
  );
  step(
    'getJobLogs',
    `jobHandle=${log.jobHandle} logType=${log.logType} ` +
      `fileSuccessCount=${successes} totalFileCount=${total}`,
  );

  // A fault: executeJob on a handle that names nothing.
  let fault = null;
  try {
    await call('executeJob', { companyHandle: company, jobHandle: 'no such job' });
  } catch (error) {
    if (error instanceof Mismatch || !error.root) {
      throw error;
    }
    fault = error.root.Envelope.Body.Fault;
  }
  check(fault !== null, 'fault: executeJob of an unknown handle did not fault');
  const detail = fault.detail && fault.detail.ipsApiFault;
  check(detail !== undefined, `fault: no ipsApiFault in the detail: ${show(fault)}`);
  check(String(detail.code) === '30001', `fault: code ${show(detail.code)}`);
  check(detail.reason.includes('no such job'), `fault: reason ${show(detail.reason)}`);
  step('fault', `${fault.faultstring} code=${detail.code} reason=${detail.reason}`);
}

run(process.argv.slice(2)).catch((error) => {
  if (error instanceof Mismatch) {
    console.error(`FAILED ${error.message}`);
  } else if (error.root) {
    console.error(`FAILED unexpected SOAP fault: ${show(error.root.Envelope.Body.Fault)}`);
  } else {
    console.error(`FAILED ${error.stack || error}`);
  }
  process.exit(1);
});
