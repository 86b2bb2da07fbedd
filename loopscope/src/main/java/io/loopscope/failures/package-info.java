/**
 * The failures domain code throws. No HTTP here: the http package's {@code Problems} alone maps each to a
 * status and a problem+json body.
 */
package io.loopscope.failures;
