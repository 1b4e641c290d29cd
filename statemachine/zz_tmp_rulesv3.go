package statemachine

// TEMPORARY until the sessions branch lands.
const RulesV3 RulesVersion = 3
