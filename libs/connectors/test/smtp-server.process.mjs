// A real SMTP server for connector tests, run as its own process so the client under test talks
// to it over TCP exactly as it would to a relay.
//
// Listens on 127.0.0.1 on an ephemeral port and prints one JSON line to stdout once ready:
//   {"event":"listening","port":12345}
// Every accepted message is appended to the file named by SMTP_MESSAGE_LOG as one JSON line
// { from, to, raw }, written before the final 250 reply, so a test that saw the send succeed can
// read it at once.
//
// Replies are chosen by the recipient's local part, so one server serves every scenario:
//   greylist@...     RCPT TO answered 451 4.7.1 (try again later)
//   nobody@...       RCPT TO answered 550 5.1.1 (mailbox unavailable)
//   stall@...        RCPT TO never answered (for client timeouts)
//   reject-data@...  the message itself answered 554 5.7.1 after DATA
// Exits when its stdin closes, so a test that dies cannot leave it running.
import { appendFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';

const messageLog = process.env.SMTP_MESSAGE_LOG;
if (!messageLog) {
  process.stderr.write('SMTP_MESSAGE_LOG must name the file to record messages in\n');
  process.exit(2);
}

function reply(code, text) {
  const error = new Error(text);
  error.responseCode = code;
  return error;
}

function localPart(address) {
  return address.split('@')[0].toLowerCase();
}

const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  onRcptTo(address, _session, callback) {
    switch (localPart(address.address)) {
      case 'greylist':
        return callback(reply(451, '4.7.1 Greylisted, please try again later'));
      case 'nobody':
        return callback(reply(550, '5.1.1 Mailbox unavailable'));
      case 'stall':
        return undefined;
      default:
        return callback();
    }
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      if (to.some((address) => localPart(address) === 'reject-data')) {
        return callback(reply(554, '5.7.1 Message refused by content policy'));
      }
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
      appendFileSync(messageLog, `${JSON.stringify({ from, to, raw: Buffer.concat(chunks).toString('utf8') })}\n`);
      return callback(null, `Ok: queued as ${session.id}`);
    });
  },
});

server.on('error', (error) => process.stderr.write(`smtp test server: ${error.message}\n`));

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.server.address().port })}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  // Stalled sessions keep close() waiting; they have nothing worth waiting for.
  setTimeout(() => process.exit(0), 500).unref();
}
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
