// TwiML in tests: the same reader the IVR simulator uses (fast-xml-parser; malformed XML throws).
export { findAll, only, parseTwiml, parseXml, verbNames, type XmlElement } from '../../scripts/lib/twiml.js';
