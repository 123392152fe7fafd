package redact

import "reflect"

// ApplyAll replaces originals by pseudonyms in every string reachable from
// v (a pointer to a struct such as report.Document): fields, slice and
// array elements, map keys and values. It is how a report is shared
// without its bundle.
func (m *Map) ApplyAll(v any) {
	m.applyValue(reflect.ValueOf(v))
}

func (m *Map) applyValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if v.Kind() == reflect.Interface && e.Kind() == reflect.String {
			if v.CanSet() {
				v.Set(reflect.ValueOf(m.Apply(e.String())).Convert(e.Type()))
			}
			return
		}
		m.applyValue(e)
	case reflect.String:
		if v.CanSet() {
			v.SetString(m.Apply(v.String()))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				m.applyValue(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			m.applyValue(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		type kv struct{ k, v reflect.Value }
		var all []kv
		for it := v.MapRange(); it.Next(); {
			all = append(all, kv{it.Key(), it.Value()})
		}
		for _, p := range all {
			k, val := p.k, reflect.New(p.v.Type()).Elem()
			val.Set(p.v)
			m.applyValue(val)
			if k.Kind() == reflect.String {
				nk := reflect.New(k.Type()).Elem()
				nk.SetString(m.Apply(k.String()))
				v.SetMapIndex(k, reflect.Value{})
				v.SetMapIndex(nk, val)
				continue
			}
			v.SetMapIndex(k, val)
		}
	}
}
