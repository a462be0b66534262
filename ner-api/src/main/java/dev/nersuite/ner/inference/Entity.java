package dev.nersuite.ner.inference;

/**
 * One entity mention. Offsets are Unicode code points of the original text, end exclusive.
 *
 * @param type entity type, e.g. PER, LOC, ORG
 * @param start first code point
 * @param end code point after the last one
 * @param span the text between start and end
 * @param prob softmax of the emissions at the first position, for the tag decoded there
 */
public record Entity(String type, int start, int end, String span, double prob) {}
