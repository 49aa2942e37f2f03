package awstest

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// frontEndCodes are errors raised by AWS's request front end (signing,
// routing, IAM) rather than by a service's own model. They are spelled
// differently on the wire: a lowercase "message" in awsJson bodies and a
// coral namespace suffix on the restJson x-amzn-ErrorType header, which the
// SDK strips; sending them that way keeps the SDK's sanitising exercised.
var frontEndCodes = map[string]bool{
	"AccessDeniedException":               true,
	"ExpiredTokenException":               true,
	"IncompleteSignatureException":        true,
	"InvalidSignatureException":           true,
	"MissingAuthenticationTokenException": true,
	"UnknownOperationException":           true,
	"UnrecognizedClientException":         true,
}

const coralSuffix = ":http://internal.amazon.com/coral/com.amazon.coral.service/"

func writeResult(w http.ResponseWriter, req *request, out any) {
	var body []byte
	var err error
	switch req.proto {
	case awsQuery:
		w.Header().Set("Content-Type", "text/xml")
		body, err = xml.Marshal(out)
	case awsJSON:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		body, err = json.Marshal(out)
	default:
		w.Header().Set("Content-Type", "application/json")
		body, err = json.Marshal(out)
	}
	if err != nil {
		// Only a bug in this package gets here; say so in a shape the SDK
		// turns into an error rather than a hang or an empty result.
		writeError(w, req, &apiError{status: http.StatusInternalServerError,
			code: "InternalFailure", message: "awstest: encode answer: " + err.Error()})
		return
	}
	w.Header().Set("X-Amzn-Requestid", req.id)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// stsError is the awsQuery error document.
type stsError struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

func writeError(w http.ResponseWriter, req *request, e *apiError) {
	var body []byte
	switch req.proto {
	case awsQuery:
		var doc stsError
		doc.Error.Type = "Sender"
		if e.status >= 500 {
			doc.Error.Type = "Receiver"
		}
		doc.Error.Code = e.code
		doc.Error.Message = e.message
		doc.RequestID = req.id
		body, _ = xml.Marshal(doc)
		w.Header().Set("Content-Type", "text/xml")
	case awsJSON:
		key := "Message"
		if frontEndCodes[e.code] {
			key = "message"
		}
		// Written by hand to keep AWS's field order, __type first.
		code, _ := json.Marshal(e.code)
		msg, _ := json.Marshal(e.message)
		body = []byte(`{"__type":` + string(code) + `,"` + key + `":` + string(msg) + `}`)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	default:
		doc := map[string]string{"message": e.message}
		if e.param != "" {
			doc["invalidParameter"] = e.param
		}
		body, _ = json.Marshal(doc)
		code := e.code
		if frontEndCodes[code] {
			code += coralSuffix
		}
		w.Header().Set("X-Amzn-Errortype", code)
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("X-Amzn-Requestid", req.id)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// jsonString reads one top-level string field of an awsJson body; "" when
// absent or when the body is not an object.
func jsonString(body []byte, field string) string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	var v string
	if json.Unmarshal(doc[field], &v) != nil {
		return ""
	}
	return v
}
