<?php
// One job's whole life through PHP's built-in SoapClient in WSDL mode, against a served
// ips-fake started with a manual clock.
//
// Usage: php scenario.php WSDL_URL COMPANY_HANDLE USER PASSWORD JOB_NAME EXPECTED_JOB_HANDLE
//
// Every step checks what it got back and prints one line "<step>: ok ..."; the first mismatch
// prints "FAILED <step>: ..." on stderr and exits 1. The answers are read as SoapClient decodes
// them through the WSDL's schema (ints as int, booleans as bool), never as raw XML.

declare(strict_types=1);

final class Mismatch extends Exception
{
}

function check(bool $condition, string $message): void
{
    if (!$condition) {
        throw new Mismatch($message);
    }
}

function show($value): string
{
    return var_export($value, true);
}

function step(string $name, string $details = ''): void
{
    echo $name, ': ok', $details === '' ? '' : ' ' . $details, "\n";
}

/** The namespace of the element the WSDL's authHeader message part names (read with regular
 * expressions: Debian's php-cli has no DOM without php-xml, and the WSDL declares its prefixes
 * on wsdl:definitions). */
function auth_header_namespace(string $wsdlUrl): string
{
    $text = file_get_contents($wsdlUrl);
    check($text !== false, "cannot read the WSDL at $wsdlUrl");
    $part = '/<(?:\\w+:)?part\\s+name="authHeader"\\s+element="(\\w+):authHeader"/';
    check(preg_match($part, $text, $match) === 1, 'the WSDL declares no authHeader message part');
    $prefix = $match[1];
    check(
        preg_match('/\\sxmlns:' . $prefix . '="([^"]+)"/', $text, $match) === 1,
        "the WSDL does not bind the prefix $prefix of its authHeader part"
    );
    return $match[1];
}

/** Whether the WSDL's schema declares an element named $name anywhere: each API version has
 * its own elements (pre-4.0 has no taskProgressArray, no originalJobName), and an answer
 * must carry exactly the ones its version declares. */
function wsdl_declares(string $wsdlUrl, string $name): bool
{
    $text = file_get_contents($wsdlUrl);
    check($text !== false, "cannot read the WSDL at $wsdlUrl");
    return preg_match('/<(?:\\w+:)?element\\s+name="' . preg_quote($name, '/') . '"/', $text) === 1;
}

/** The fake's admin clock: read it (GET), or move it on by $advance seconds (POST
 * {"advance": N}); returns the clock's "now". The fake must run on its manual clock. */
function admin_clock(string $wsdlUrl, ?int $advance = null): string
{
    $parts = parse_url($wsdlUrl);
    $url = $parts['scheme'] . '://' . $parts['host'] . ':' . $parts['port'] . '/_fake/clock';
    $http = ['method' => 'GET', 'ignore_errors' => true, 'timeout' => 10];
    if ($advance !== null) {
        $http['method'] = 'POST';
        $http['header'] = "Content-Type: application/json\r\n";
        $http['content'] = json_encode(['advance' => $advance]);
    }
    $body = file_get_contents($url, false, stream_context_create(['http' => $http]));
    $status = $http_response_header[0] ?? '(no answer)';
    check($body !== false && str_contains($status, ' 200'), "{$http['method']} $url: $status $body");
    $clock = json_decode($body, true);
    check(is_array($clock) && isset($clock['now']), "{$http['method']} $url answered $body");
    check($clock['movable'] === true, "the fake's clock cannot be moved: start it with --clock manual");
    return $clock['now'];
}

/** A jobArray or jobLogArray's items as a PHP list (none when the array is empty). */
function items($array): array
{
    if ($array === null || !isset($array->items)) {
        return [];
    }
    return is_array($array->items) ? $array->items : [$array->items];
}

function run(array $arguments): void
{
    if (count($arguments) !== 6) {
        fwrite(STDERR, "usage: php scenario.php WSDL_URL COMPANY_HANDLE USER PASSWORD JOB_NAME "
            . "EXPECTED_JOB_HANDLE\n");
        exit(2);
    }
    [$wsdlUrl, $company, $user, $password, $jobName, $expectedHandle] = $arguments;

    $client = new SoapClient($wsdlUrl, [
        'soap_version' => SOAP_1_1,
        'cache_wsdl' => WSDL_CACHE_NONE,
        'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
        'exceptions' => true,
        'connection_timeout' => 10,
    ]);
    $client->__setSoapHeaders([
        new SoapHeader(
            auth_header_namespace($wsdlUrl),
            'authHeader',
            ['user' => $user, 'password' => $password]
        ),
    ]);

    $now = new DateTimeImmutable(admin_clock($wsdlUrl));
    $execTime = $now->modify('+1 day');

    // submitJob: one image-serving publish, to run tomorrow.
    $submitted = $client->submitJob([
        'companyHandle' => $company,
        'jobName' => $jobName,
        'execTime' => $execTime->format('Y-m-d\TH:i:sP'),
        'imageServingPublishJob' => ['publishType' => 'Full', 'emailSetting' => 'None'],
    ]);
    check(
        $submitted->jobHandle === $expectedHandle,
        'submitJob: expected jobHandle ' . show($expectedHandle) . ', got ' . show($submitted->jobHandle)
    );
    $handle = $submitted->jobHandle;
    step('submitJob', "jobHandle=$handle");

    // getScheduledJobs: the job is there, waiting for its time.
    $scheduled = items($client->getScheduledJobs(['companyHandle' => $company])->jobArray);
    $found = array_values(array_filter($scheduled, fn ($job) => $job->jobHandle === $handle));
    check(count($found) === 1, "getScheduledJobs: $handle not among " . count($scheduled) . ' jobs');
    $job = $found[0];
    check($job->originalName === $jobName, 'getScheduledJobs: originalName ' . show($job->originalName));
    check($job->type === 'ImageServingPublish', 'getScheduledJobs: type ' . show($job->type));
    check($job->triggerState === 'Normal', 'getScheduledJobs: triggerState ' . show($job->triggerState));
    check(
        (new DateTimeImmutable($job->nextFireTime)) == $execTime,
        'getScheduledJobs: nextFireTime ' . show($job->nextFireTime) . ', submitted ' . $execTime->format('c')
    );
    check(
        $job->imageServingPublishJob->publishType === 'Full',
        'getScheduledJobs: payload ' . show($job->imageServingPublishJob)
    );
    step('getScheduledJobs', "found=$handle triggerState={$job->triggerState}");

    // executeJob: run it now, regardless of its schedule.
    $client->executeJob(['companyHandle' => $company, 'jobHandle' => $handle]);
    step('executeJob');

    $now = admin_clock($wsdlUrl, 2);
    step('advance', "now=$now");

    // getActiveJobs: the run is working.
    $active = items($client->getActiveJobs(['companyHandle' => $company])->jobArray);
    $runs = array_values(array_filter($active, fn ($run) => $run->originalName === $jobName));
    check(count($runs) === 1, 'getActiveJobs: expected one run of ' . $jobName . ', got ' . count($runs));
    $run = $runs[0];
    $runHandle = $run->jobHandle;
    check($runHandle !== $handle, 'getActiveJobs: the run has the job\'s own handle ' . $runHandle);
    check($run->state === 'Running', 'getActiveJobs: state ' . show($run->state));
    check(is_int($run->progress), 'getActiveJobs: progress not decoded as xsd:int: ' . show($run->progress));
    check(is_int($run->totalSize), 'getActiveJobs: totalSize not decoded as xsd:int: ' . show($run->totalSize));
    if (wsdl_declares($wsdlUrl, 'taskProgressArray')) {
        $tasks = items($run->taskProgressArray);
        check(count($tasks) === 1 && is_float($tasks[0]->progress), 'getActiveJobs: taskProgressArray ' . show($tasks));
    } else {
        check(!property_exists($run, 'taskProgressArray'), 'getActiveJobs: taskProgressArray in a version without it');
    }
    step('getActiveJobs', "runHandle=$runHandle state={$run->state} progress={$run->progress}");

    foreach (['pauseJob', 'resumeJob', 'stopJob'] as $operation) {
        $client->$operation(['companyHandle' => $company, 'jobHandle' => $runHandle]);
        step($operation, "jobHandle=$runHandle");
    }

    // deleteJob: the scheduled job goes away for good.
    $client->deleteJob(['companyHandle' => $company, 'jobHandle' => $handle]);
    $left = items($client->getScheduledJobs(['companyHandle' => $company])->jobArray);
    check(
        array_filter($left, fn ($job) => $job->jobHandle === $handle) === [],
        "deleteJob: getScheduledJobs still lists $handle"
    );
    step('deleteJob', "jobHandle=$handle");

    $now = admin_clock($wsdlUrl, 5);
    step('advance', "now=$now");

    // getJobLogs: the stopped run has finished and left its log.
    $logs = items($client->getJobLogs(['companyHandle' => $company])->jobLogArray);
    $mine = array_values(array_filter($logs, fn ($log) => $log->jobHandle === $runHandle));
    check(count($mine) === 1, "getJobLogs: expected one log of $runHandle, got " . count($mine));
    $log = $mine[0];
    check(str_starts_with($log->jobName, $jobName . '_'), 'getJobLogs: jobName ' . show($log->jobName));
    if (wsdl_declares($wsdlUrl, 'originalJobName')) {
        check($log->originalJobName === $jobName, 'getJobLogs: originalJobName ' . show($log->originalJobName));
    } else {
        check(!property_exists($log, 'originalJobName'), 'getJobLogs: originalJobName in a version without it');
    }
    check($log->logType === 'EndImageServingPublish', 'getJobLogs: logType ' . show($log->logType));
    check($log->fatalError === false, 'getJobLogs: fatalError not decoded as xsd:boolean false: ' . show($log->fatalError));
    check($log->totalFileCount === 3, 'getJobLogs: totalFileCount ' . show($log->totalFileCount));
    $stillActive = items($client->getActiveJobs(['companyHandle' => $company])->jobArray);
    check(
        array_filter($stillActive, fn ($run) => $run->jobHandle === $runHandle) === [],
        'getJobLogs: the run is still active'
    );
    step(
        'getJobLogs',
        "jobHandle={$log->jobHandle} logType={$log->logType} fileSuccessCount={$log->fileSuccessCount}"
        . " totalFileCount={$log->totalFileCount}"
    );

    // A fault: executeJob on a handle that names nothing.
    try {
        $client->executeJob(['companyHandle' => $company, 'jobHandle' => 'no such job']);
        check(false, 'fault: executeJob of an unknown handle did not fault');
    } catch (SoapFault $fault) {
        $detail = $fault->detail->ipsApiFault ?? null;
        check($detail !== null, 'fault: no ipsApiFault in the detail: ' . show($fault->detail));
        check((string) $detail->code === '30001', 'fault: code ' . show($detail->code));
        check(str_contains($detail->reason, 'no such job'), 'fault: reason ' . show($detail->reason));
        step('fault', "{$fault->faultstring} code={$detail->code} reason={$detail->reason}");
    }
}

try {
    run(array_slice($argv, 1));
} catch (Mismatch $mismatch) {
    fwrite(STDERR, 'FAILED ' . $mismatch->getMessage() . "\n");
    exit(1);
} catch (SoapFault $fault) {
    fwrite(STDERR, "FAILED unexpected SoapFault {$fault->faultcode} {$fault->faultstring}: "
        . show($fault->detail ?? null) . "\n");
    exit(1);
}
