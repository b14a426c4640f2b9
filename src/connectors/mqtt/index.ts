// A source that drains an MQTT broker's persistent session into Danube (PUBACK after publish).
export { parseMqttSourceOptions, type MqttRoute, type MqttSourceConfig, type MqttSourceOptions } from './options.js';
export { mqttSource, MqttSourceError, runMqttSource, type MqttRunOptions, type MqttRunSummary } from './source.js';
