/**
 * The failures domain code throws. No HTTP here: {@code io.loopscope.http.Problems} alone maps each to a
 * status and a problem+json body.
 */
package io.loopscope.failures;
