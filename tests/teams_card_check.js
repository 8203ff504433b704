// Parse and validate Teams payloads with Microsoft's own Adaptive Cards library.
//
// Usage: node teams_card_check.js <adaptivecards.js> [<host-config.json>] < payloads.json
// stdin: a JSON array of Teams webhook payloads ({"type": "message", "attachments": [...]}).
// stdout: a JSON array with one array of problems (strings) per payload; empty means valid.
// Each card is parsed for its declared version, so an element or property newer
// than that version is a problem too; then validateProperties() runs with the
// host config (Teams': at most 6 actions); last, the card is written back to JSON and
// whatever the parser ignored is a problem. Teams' "msteams" extension is allowed.
"use strict";

const fs = require("fs");

const [library, hostConfigFile] = process.argv.slice(2);
const AC = require(library);
const hostConfig = hostConfigFile ? new AC.HostConfig(JSON.parse(fs.readFileSync(hostConfigFile, "utf8"))) : undefined;
const ALLOWED_UNKNOWN = new Set(["msteams"]); // read by Teams, not by the generic parser

function describe(event) {
  const phase = AC.ValidationPhase[event.phase];
  const kind = AC.ValidationEvent[event.event];
  const source = event.source && event.source.getJsonTypeName ? event.source.getJsonTypeName() : "?";
  return `${phase} ${kind} in ${source}: ${event.message}`;
}

function ignored(given, kept, path, problems) {
  // What the parser dropped or changed on the way back to JSON: a typo, a property of a
  // newer version, a value it does not accept. Every property Sovereign sets survives.
  if (given && typeof given === "object") {
    for (const key of Object.keys(given)) {
      if (path === "" && ALLOWED_UNKNOWN.has(key)) {
        continue;
      }
      if (!kept || typeof kept !== "object" || !(key in kept)) {
        problems.push(`${path}.${key} is ignored by the parser`);
      } else {
        ignored(given[key], kept[key], `${path}.${key}`, problems);
      }
    }
  } else if (given !== kept) {
    problems.push(`${path} ${JSON.stringify(given)} is read as ${JSON.stringify(kept)}`);
  }
}

function checkCard(content) {
  if (!content || content.type !== "AdaptiveCard") {
    return [`the attachment's content is not an AdaptiveCard: ${JSON.stringify(content && content.type)}`];
  }
  const version = AC.Version.parse(content.version, new AC.SerializationContext());
  if (!version || !version.isValid) {
    return [`the card's version ${JSON.stringify(content.version)} is not a version`];
  }
  const card = new AC.AdaptiveCard();
  if (hostConfig) {
    card.hostConfig = hostConfig;
  }
  const context = new AC.SerializationContext(version);
  try {
    card.parse(content, context);
  } catch (error) {
    return [`the parser refused the card: ${error.message}`];
  }
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) {
    problems.push(describe(context.getEventAt(i)));
  }
  for (const event of card.validateProperties().validationEvents) {
    problems.push(describe(event));
  }
  ignored(content, card.toJSON(new AC.SerializationContext(version)), "", problems);
  return problems;
}

function checkPayload(payload) {
  if (!payload || payload.type !== "message" || !Array.isArray(payload.attachments) || !payload.attachments.length) {
    return ['not a Teams message: {"type": "message", "attachments": [...]} expected'];
  }
  const problems = [];
  for (const attachment of payload.attachments) {
    if (attachment.contentType !== "application/vnd.microsoft.card.adaptive") {
      problems.push(`attachment contentType ${JSON.stringify(attachment.contentType)} is not an Adaptive Card`);
      continue;
    }
    problems.push(...checkCard(attachment.content));
  }
  return problems;
}

const payloads = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(payloads.map(checkPayload)));
